import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';

/** An alert that fired and has not recovered: what its recovery message repeats. */
export interface FiringAlert {
  key: string;
  rule: string;
  subject: string;
  severity: 'critical' | 'warning';
  message: string;
  firedAt: string;
}

/**
 * Alert state shared by every worker and kept across restarts. Each transition is claimed
 * atomically: of two workers (or a worker and its restarted self) seeing the same crossing, one
 * fires the alert; of two seeing it clear, one sends the recovery.
 */
export interface AlertStateStore {
  /** When the condition was first seen crossed (set now if it was not). */
  pendingSince(host: string, key: string, now: Date): Promise<Date>;
  clearPending(host: string, key: string): Promise<void>;
  /** True for the one caller that moves the alert to firing. */
  fire(host: string, alert: FiringAlert): Promise<boolean>;
  /** The firing alert, for the one caller that clears it; null for everyone else. */
  recover(host: string, key: string): Promise<FiringAlert | null>;
  firing(host: string): Promise<FiringAlert[]>;
  /** Consecutive failed rounds of a host: one more, or back to none. */
  countFailure(host: string): Promise<number>;
  resetFailures(host: string): Promise<void>;
}

export function createRedisAlertStateStore(redis: Redis, prefix: string): AlertStateStore {
  const firingKey = (host: string) => `${prefix}:alerts:firing:${host}`;
  const pendingKey = (host: string) => `${prefix}:alerts:pending:${host}`;
  const failuresKey = `${prefix}:alerts:failures`;
  return {
    async pendingSince(host, key, now) {
      await redis.hsetnx(pendingKey(host), key, now.toISOString());
      return new Date((await redis.hget(pendingKey(host), key)) ?? now.toISOString());
    },
    async clearPending(host, key) {
      await redis.hdel(pendingKey(host), key);
    },
    async fire(host, alert) {
      return (await redis.hsetnx(firingKey(host), alert.key, JSON.stringify(alert))) === 1;
    },
    async recover(host, key) {
      const text = await redis.hget(firingKey(host), key);
      if (!text) return null;
      // HDEL answers 1 to exactly one caller: that one sends the recovery.
      return (await redis.hdel(firingKey(host), key)) === 1 ? (JSON.parse(text) as FiringAlert) : null;
    },
    async firing(host) {
      return Object.values(await redis.hgetall(firingKey(host))).map((t) => JSON.parse(t) as FiringAlert);
    },
    countFailure: (host) => redis.hincrby(failuresKey, host, 1),
    async resetFailures(host) {
      await redis.hdel(failuresKey, host);
    },
  };
}

interface FileState {
  firing: Record<string, Record<string, FiringAlert>>;
  pending: Record<string, Record<string, string>>;
  failures: Record<string, number>;
}

/**
 * One process without Redis (infra-report watch): a JSON file in report.state_dir, rewritten
 * atomically after every transition, so a restart neither repeats nor forgets an alert.
 */
export function createFileAlertStateStore(directory: string): AlertStateStore {
  const file = path.join(directory, 'alerts.json');
  let state: FileState | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const load = async (): Promise<FileState> => {
    if (state) return state;
    try {
      state = JSON.parse(await readFile(file, 'utf8')) as FileState;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      state = { firing: {}, pending: {}, failures: {} };
    }
    return state;
  };
  const save = async () => {
    await mkdir(directory, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(state));
    await rename(temporary, file);
  };
  // One transition at a time: each reads, changes and saves the state before the next.
  const serial = <T>(step: (s: FileState) => Promise<T> | T): Promise<T> => {
    const next = queue.then(async () => step(await load()));
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    pendingSince: (host, key, now) =>
      serial(async (s) => {
        const pending = (s.pending[host] ??= {});
        if (!pending[key]) {
          pending[key] = now.toISOString();
          await save();
        }
        return new Date(pending[key]);
      }),
    clearPending: (host, key) =>
      serial(async (s) => {
        if (s.pending[host]?.[key] === undefined) return;
        delete s.pending[host][key];
        await save();
      }),
    fire: (host, alert) =>
      serial(async (s) => {
        const firing = (s.firing[host] ??= {});
        if (firing[alert.key]) return false;
        firing[alert.key] = alert;
        await save();
        return true;
      }),
    recover: (host, key) =>
      serial(async (s) => {
        const alert = s.firing[host]?.[key];
        if (!alert) return null;
        delete s.firing[host]![key];
        await save();
        return alert;
      }),
    firing: (host) => serial((s) => Object.values(s.firing[host] ?? {})),
    countFailure: (host) =>
      serial(async (s) => {
        s.failures[host] = (s.failures[host] ?? 0) + 1;
        await save();
        return s.failures[host];
      }),
    resetFailures: (host) =>
      serial(async (s) => {
        if (!s.failures[host]) return;
        delete s.failures[host];
        await save();
      }),
  };
}
