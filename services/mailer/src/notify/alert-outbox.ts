import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { AlertEvent } from '@infra-report/shared';

export interface GroupTiming {
  /** The first alert to a destination with nothing pending waits this long for the rest of its round. */
  waitMs: number;
  /** A destination notified already is notified again at most this often. */
  intervalMs: number;
}

/**
 * Alerts waiting to be notified, per destination (a recipient set). Adding the first alert sets
 * the destination's due time (group wait, or the group interval after its last notification);
 * later ones join it. Taking them moves them to a batch named by the caller, so that a retry of
 * the same flush gets the same batch and sends the same notification, once.
 */
export interface AlertOutbox {
  /** Adds the event (once, by id) and returns when the destination's notification is due. */
  add(destination: string, event: AlertEvent, now: number, timing: GroupTiming): Promise<number>;
  take(destination: string, batchId: string, now: number): Promise<AlertEvent[]>;
  done(batchId: string): Promise<void>;
  /** Every destination with alerts waiting, and when they are due. */
  due(): Promise<{ destination: string; at: number }[]>;
}

const addScript = `
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
local due = redis.call('GET', KEYS[2])
if due then return due end
local last = tonumber(redis.call('GET', KEYS[3]) or '0')
local at = math.max(tonumber(ARGV[3]) + tonumber(ARGV[4]), last + tonumber(ARGV[5]))
redis.call('SET', KEYS[2], at)
return tostring(at)`;

const takeScript = `
if redis.call('EXISTS', KEYS[4]) == 0 then
  if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('RENAME', KEYS[1], KEYS[4])
    redis.call('SET', KEYS[3], ARGV[1])
  end
  redis.call('DEL', KEYS[2])
end
return redis.call('HVALS', KEYS[4])`;

export function createRedisAlertOutbox(redis: Redis, prefix: string): AlertOutbox {
  const outbox = (d: string) => `${prefix}:notify:outbox:${d}`;
  const due = (d: string) => `${prefix}:notify:due:${d}`;
  const last = (d: string) => `${prefix}:notify:last:${d}`;
  const batch = (id: string) => `${prefix}:notify:batch:${id}`;
  return {
    async add(destination, event, now, timing) {
      const at = await redis.eval(
        addScript,
        3,
        outbox(destination),
        due(destination),
        last(destination),
        event.id,
        JSON.stringify(event),
        now,
        timing.waitMs,
        timing.intervalMs,
      );
      return Number(at);
    },
    async take(destination, batchId, now) {
      const texts = (await redis.eval(
        takeScript,
        4,
        outbox(destination),
        due(destination),
        last(destination),
        batch(batchId),
        now,
      )) as string[];
      return texts.map((t) => JSON.parse(t) as AlertEvent);
    },
    async done(batchId) {
      await redis.del(batch(batchId));
    },
    async due() {
      const keys: string[] = [];
      for await (const found of redis.scanStream({ match: `${prefix}:notify:due:*`, count: 1000 }))
        keys.push(...(found as string[]));
      const found: { destination: string; at: number }[] = [];
      for (const key of keys) {
        const at = await redis.get(key);
        if (at) found.push({ destination: key.slice(`${prefix}:notify:due:`.length), at: Number(at) });
      }
      return found;
    },
  };
}

interface OutboxFile {
  waiting: Record<string, Record<string, AlertEvent>>;
  due: Record<string, number>;
  last: Record<string, number>;
  batches: Record<string, AlertEvent[]>;
}

/** The outbox of one process (run, watch): a JSON file in report.state_dir, so a restart sends what was waiting. */
export function createFileAlertOutbox(directory: string): AlertOutbox {
  const file = path.join(directory, 'alert-outbox.json');
  let state: OutboxFile | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const load = async (): Promise<OutboxFile> => {
    if (state) return state;
    try {
      state = JSON.parse(await readFile(file, 'utf8')) as OutboxFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      state = { waiting: {}, due: {}, last: {}, batches: {} };
    }
    return state;
  };
  const serial = <T>(step: (s: OutboxFile) => T, write = true): Promise<T> => {
    const next = queue.then(async () => {
      const s = await load();
      const result = step(s);
      if (!write) return result;
      await mkdir(directory, { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(s));
      await rename(temporary, file);
      return result;
    });
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    add: (destination, event, now, timing) =>
      serial((s) => {
        (s.waiting[destination] ??= {})[event.id] ??= event;
        s.due[destination] ??= Math.max(now + timing.waitMs, (s.last[destination] ?? 0) + timing.intervalMs);
        return s.due[destination];
      }),
    take: (destination, batchId, now) =>
      serial((s) => {
        if (!s.batches[batchId]) {
          const waiting = Object.values(s.waiting[destination] ?? {});
          if (waiting.length > 0) {
            s.batches[batchId] = waiting;
            s.last[destination] = now;
          }
          delete s.waiting[destination];
          delete s.due[destination];
        }
        return s.batches[batchId] ?? [];
      }),
    done: (batchId) =>
      serial((s) => {
        delete s.batches[batchId];
      }),
    due: () => serial((s) => Object.entries(s.due).map(([destination, at]) => ({ destination, at })), false),
  };
}
