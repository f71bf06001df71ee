import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { UpdatesInfo } from '@infra-report/shared';

/** What the collector remembers of a host between runs (auth log position, package state ...). */
export interface HostStateStore<T> {
  load(host: string): Promise<T | null>;
  save(host: string, state: T): Promise<void>;
}

/** Checks a stored value; null: damaged or of another shape, treated as absent (never a crash). */
export type StateReader<T> = (value: unknown) => T | null;

function decode<T>(text: string, read: StateReader<T>): T | null {
  try {
    return read(JSON.parse(text));
  } catch {
    return null;
  }
}

/** In Redis for the services (every collector replica sees it); kept 31 days after the last run. */
export function createRedisHostStateStore<T>(
  redis: Redis,
  prefix: string,
  kind: string,
  read: StateReader<T>,
): HostStateStore<T> {
  const key = (host: string) => `${prefix}:${kind}:${host}`;
  return {
    async load(host) {
      const text = await redis.get(key(host));
      return text ? decode(text, read) : null;
    },
    async save(host, state) {
      await redis.set(key(host), JSON.stringify(state), 'EX', 31 * 86400);
    },
  };
}

/** A JSON file per host and kind, for the one-process mode. */
export function createFileHostStateStore<T>(directory: string, kind: string, read: StateReader<T>): HostStateStore<T> {
  const file = (host: string) => path.join(directory, `${host.replace(/[^A-Za-z0-9._-]/g, '_')}.${kind}.json`);
  return {
    async load(host) {
      try {
        return decode(await readFile(file(host), 'utf8'), read);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async save(host, state) {
      const temporary = `${file(host)}.${process.pid}.tmp`;
      // The directory is made on the first save that misses it, not tried once per host.
      await writeFile(temporary, JSON.stringify(state)).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        await mkdir(directory, { recursive: true });
        await writeFile(temporary, JSON.stringify(state));
      });
      await rename(temporary, file(host));
    },
  };
}

/** An update check remembered with the package state it was made for. */
export function readUpdatesState(value: unknown): UpdatesInfo | null {
  const state = value as UpdatesInfo | null;
  return typeof state?.stamp === 'string' && Array.isArray(state.securityPackages) ? state : null;
}
