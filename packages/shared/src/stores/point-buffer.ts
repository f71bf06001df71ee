import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { toLineProtocol, type InfluxStore, type Point } from './influx-store.js';

/**
 * Points that InfluxDB did not take, kept (bounded) until it is back. One entry is one host's
 * collection (its line protocol); past the bound the oldest entries are dropped and counted.
 */
export interface PointBuffer {
  push(lines: string[]): Promise<void>;
  /** The oldest entry, without removing it. */
  peek(): Promise<string[] | null>;
  /** Removes the oldest entry (after it was written). */
  shift(): Promise<void>;
  size(): Promise<number>;
  /** Lines dropped because the buffer was full, since it was created. */
  dropped(): Promise<number>;
}

/** In Redis (the services): a list, trimmed to maxEntries; dropped lines counted in a key. */
export function createRedisPointBuffer(redis: Redis, prefix: string, maxEntries: number): PointBuffer {
  const key = `${prefix}:influx-buffer`;
  const droppedKey = `${prefix}:influx-buffer:dropped-lines`;
  return {
    async push(lines) {
      const length = await redis.rpush(key, JSON.stringify(lines));
      for (let excess = length - maxEntries; excess > 0; excess -= 1) {
        const oldest = await redis.lpop(key);
        if (oldest) await redis.incrby(droppedKey, (JSON.parse(oldest) as string[]).length);
      }
    },
    async peek() {
      const oldest = await redis.lindex(key, 0);
      return oldest ? (JSON.parse(oldest) as string[]) : null;
    },
    async shift() {
      await redis.lpop(key);
    },
    size: () => redis.llen(key),
    async dropped() {
      return Number((await redis.get(droppedKey)) ?? 0);
    },
  };
}

/** On disk (the one-process run): one JSON line per entry in a file of the state directory. */
export function createFilePointBuffer(directory: string, maxEntries: number): PointBuffer {
  const file = path.join(directory, 'influx-buffer.jsonl');
  const droppedFile = path.join(directory, 'influx-buffer.dropped');
  const entries = async (): Promise<string[]> => {
    try {
      return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  };
  const rewrite = async (kept: string[]) => {
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, kept.map((e) => `${e}\n`).join(''));
    await rename(temporary, file);
  };
  const dropped = async () => Number((await readFile(droppedFile, 'utf8').catch(() => '0')).trim() || 0);
  return {
    async push(lines) {
      await mkdir(directory, { recursive: true });
      await appendFile(file, `${JSON.stringify(lines)}\n`);
      const all = await entries();
      if (all.length > maxEntries) {
        const gone = all.slice(0, all.length - maxEntries);
        await writeFile(
          droppedFile,
          String((await dropped()) + gone.reduce((n, e) => n + (JSON.parse(e) as string[]).length, 0)),
        );
        await rewrite(all.slice(all.length - maxEntries));
      }
    },
    async peek() {
      const [oldest] = await entries();
      return oldest ? (JSON.parse(oldest) as string[]) : null;
    },
    async shift() {
      await rewrite((await entries()).slice(1));
    },
    size: async () => (await entries()).length,
    dropped,
  };
}

/**
 * An InfluxStore that keeps what InfluxDB refuses: a failed write goes to the buffer (and the
 * error says so), and every write first sends what the buffer holds, oldest first.
 */
export function withPointBuffer(
  store: InfluxStore,
  buffer: PointBuffer,
  logger: Logger,
): InfluxStore & { flushBuffer(): Promise<number> } {
  let flushing: Promise<number> | undefined;
  const drain = async (): Promise<number> => {
    let written = 0;
    for (;;) {
      const oldest = await buffer.peek();
      if (!oldest) break;
      await store.writeLines(oldest);
      await buffer.shift();
      written += oldest.length;
    }
    if (written > 0) logger.info({ lines: written }, 'InfluxDB is back: buffered points written');
    return written;
  };
  // One drain at a time, whether a write or the periodic flush starts it.
  const flushBuffer = () => (flushing ??= drain().finally(() => (flushing = undefined)));
  return {
    ...store,
    async writePoints(points: Point[]) {
      await this.writeLines(toLineProtocol(points));
    },
    async writeLines(lines: string[]) {
      if (lines.length === 0) return;
      try {
        if ((await buffer.size()) > 0) await flushBuffer();
        await store.writeLines(lines);
      } catch (error) {
        await buffer.push(lines);
        throw new Error(
          `InfluxDB refused or did not answer (${(error as Error).message}): ${lines.length} points kept, written when it is back`,
          { cause: error },
        );
      }
    },
    flushBuffer,
  };
}
