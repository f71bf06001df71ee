import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { AlertEvent } from './alert-event.js';
import { silenceKeepMs, type Silence } from './alert-silences.js';

/** An alert that fired and has not recovered: what its recovery message repeats. */
export interface FiringAlert {
  key: string;
  rule: string;
  subject: string;
  severity: 'critical' | 'warning';
  message: string;
  firedAt: string;
  /** The host's groups when it fired (Alertmanager's group label, team recipients). */
  groups?: string[];
  value?: number;
  threshold?: number;
}

/** Alerts and recoveries are kept this long for the report's list of what fired. */
const historyKeepMs = 35 * 86400_000;

/**
 * Alert state shared by every worker and kept across restarts. Each transition is claimed
 * atomically: of two workers (or a worker and its restarted self) seeing the same crossing, one
 * fires the alert; of two seeing it clear, one sends the recovery.
 */
export interface AlertStateStore {
  /**
   * Notes the condition seen crossed now and returns since when it has been, continuously: a
   * sighting more than maxGapMs after the previous one starts the hold again.
   */
  holdSince(host: string, key: string, now: Date, maxGapMs: number): Promise<Date>;
  clearHold(host: string, key: string): Promise<void>;
  /** The keys of the host's conditions being held (seen crossed, not firing yet). */
  heldKeys(host: string): Promise<string[]>;
  /** True for the one caller that moves the alert to firing. */
  fire(host: string, alert: FiringAlert): Promise<boolean>;
  /** True for the one caller that raises a firing warning to critical. */
  escalate(host: string, alert: FiringAlert): Promise<boolean>;
  /** The firing alert, for the one caller that clears it; null for everyone else. */
  recover(host: string, key: string, now: Date): Promise<FiringAlert | null>;
  /** When this alert last recovered, if it did. */
  recoveredAt(host: string, key: string): Promise<Date | null>;
  firing(host: string): Promise<FiringAlert[]>;
  /** Every host's firing alerts (Alertmanager's refresh). */
  allFiring(): Promise<{ host: string; alert: FiringAlert }[]>;
  /** Consecutive failed rounds of a host: one more, or back to none. */
  countFailure(host: string): Promise<number>;
  resetFailures(host: string): Promise<void>;
  /** Alerts and recoveries as they happen, for the report's "alerts since the last report". */
  record(events: AlertEvent[]): Promise<void>;
  history(since: Date, until: Date): Promise<AlertEvent[]>;
  addSilence(silence: Silence): Promise<void>;
  /** Ends a silence now; false when there is no such silence. */
  expireSilence(id: string, now: Date): Promise<boolean>;
  /** Silences active or ended within the last weeks. */
  silences(): Promise<Silence[]>;
  /** True for the one caller that handles the end of this silence (what it held back is told then). */
  claimSilenceEnd(id: string): Promise<boolean>;
}

// Held since (ms) and last seen (ms) of a condition, in one step for every worker.
const holdScript = `
local since = redis.call('HGET', KEYS[1], ARGV[1])
local seen = redis.call('HGET', KEYS[2], ARGV[1])
if (not since) or (not seen) or (tonumber(ARGV[2]) - tonumber(seen) > tonumber(ARGV[3])) then
  since = ARGV[2]
  redis.call('HSET', KEYS[1], ARGV[1], since)
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return since`;

// Raises a firing warning to critical: exactly one caller sees 1.
const escalateScript = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
if cjson.decode(current).severity ~= 'warning' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`;

export function createRedisAlertStateStore(redis: Redis, prefix: string): AlertStateStore {
  const firingKey = (host: string) => `${prefix}:alerts:firing:${host}`;
  const holdKey = (host: string) => `${prefix}:alerts:held:${host}`;
  const seenKey = (host: string) => `${prefix}:alerts:seen:${host}`;
  const recoveredKey = (host: string) => `${prefix}:alerts:recovered:${host}`;
  const failuresKey = `${prefix}:alerts:failures`;
  const historyKey = `${prefix}:alerts:history`;
  const silencesKey = `${prefix}:alerts:silences`;
  const silenceEndsKey = `${prefix}:alerts:silence-ends`;
  return {
    async holdSince(host, key, now, maxGapMs) {
      const since = await redis.eval(holdScript, 2, holdKey(host), seenKey(host), key, now.getTime(), maxGapMs);
      return new Date(Number(since));
    },
    async clearHold(host, key) {
      await redis.multi().hdel(holdKey(host), key).hdel(seenKey(host), key).exec();
    },
    heldKeys: (host) => redis.hkeys(holdKey(host)),
    async fire(host, alert) {
      return (await redis.hsetnx(firingKey(host), alert.key, JSON.stringify(alert))) === 1;
    },
    async escalate(host, alert) {
      return (await redis.eval(escalateScript, 1, firingKey(host), alert.key, JSON.stringify(alert))) === 1;
    },
    async recover(host, key, now) {
      const text = await redis.hget(firingKey(host), key);
      if (!text) return null;
      // HDEL answers 1 to exactly one caller: that one sends the recovery.
      if ((await redis.hdel(firingKey(host), key)) !== 1) return null;
      await redis.hset(recoveredKey(host), key, String(now.getTime()));
      return JSON.parse(text) as FiringAlert;
    },
    async recoveredAt(host, key) {
      const at = await redis.hget(recoveredKey(host), key);
      return at ? new Date(Number(at)) : null;
    },
    async firing(host) {
      return Object.values(await redis.hgetall(firingKey(host))).map((t) => JSON.parse(t) as FiringAlert);
    },
    async allFiring() {
      const found: { host: string; alert: FiringAlert }[] = [];
      const stream = redis.scanStream({ match: `${prefix}:alerts:firing:*`, count: 1000 });
      const keys: string[] = [];
      for await (const batch of stream) keys.push(...(batch as string[]));
      for (const key of keys) {
        const host = key.slice(`${prefix}:alerts:firing:`.length);
        for (const text of Object.values(await redis.hgetall(key)))
          found.push({ host, alert: JSON.parse(text) as FiringAlert });
      }
      return found;
    },
    countFailure: (host) => redis.hincrby(failuresKey, host, 1),
    async resetFailures(host) {
      await redis.hdel(failuresKey, host);
    },
    async record(events) {
      if (events.length === 0) return;
      const multi = redis.multi();
      for (const event of events) multi.zadd(historyKey, Date.parse(event.at), JSON.stringify(event));
      multi.zremrangebyscore(historyKey, '-inf', Date.now() - historyKeepMs);
      await multi.exec();
    },
    async history(since, until) {
      const texts = await redis.zrangebyscore(historyKey, since.getTime(), until.getTime());
      return texts.map((t) => JSON.parse(t) as AlertEvent);
    },
    async addSilence(silence) {
      await redis.hset(silencesKey, silence.id, JSON.stringify(silence));
    },
    async expireSilence(id, now) {
      const text = await redis.hget(silencesKey, id);
      if (!text) return false;
      const silence = JSON.parse(text) as Silence;
      if (Date.parse(silence.endsAt) > now.getTime()) silence.endsAt = now.toISOString();
      await redis.hset(silencesKey, id, JSON.stringify(silence));
      return true;
    },
    async silences() {
      const all = Object.values(await redis.hgetall(silencesKey)).map((t) => JSON.parse(t) as Silence);
      const old = all.filter((s) => Date.parse(s.endsAt) < Date.now() - silenceKeepMs);
      if (old.length > 0) {
        await redis.hdel(silencesKey, ...old.map((s) => s.id));
        await redis.srem(silenceEndsKey, ...old.map((s) => s.id));
      }
      return all.filter((s) => !old.includes(s));
    },
    async claimSilenceEnd(id) {
      return (await redis.sadd(silenceEndsKey, id)) === 1;
    },
  };
}

interface FileState {
  firing: Record<string, Record<string, FiringAlert>>;
  held: Record<string, Record<string, { since: number; seen: number }>>;
  recovered: Record<string, Record<string, number>>;
  failures: Record<string, number>;
  history: AlertEvent[];
  silences: Silence[];
  silenceEnds: string[];
}

const emptyState = (): FileState => ({
  firing: {},
  held: {},
  recovered: {},
  failures: {},
  history: [],
  silences: [],
  silenceEnds: [],
});

/**
 * One process without Redis (infra-report run and watch): a JSON file in report.state_dir,
 * rewritten atomically after every transition, so a restart neither repeats nor forgets an alert.
 * It is read again when it changed under us: `infra-report silence` writes it from another process.
 */
export function createFileAlertStateStore(directory: string): AlertStateStore {
  const file = path.join(directory, 'alerts.json');
  let queue: Promise<unknown> = Promise.resolve();
  // The state as last read or written, and the file it came from: read again only when another
  // process (`infra-report silence`) changed the file, not on every call of a sampling round.
  let cached: { state: FileState; mtimeMs: number; size: number } | undefined;
  const fileStamp = async () => {
    try {
      const { mtimeMs, size } = await stat(file);
      return { mtimeMs, size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return { mtimeMs: -1, size: -1 };
    }
  };
  const load = async (): Promise<FileState> => {
    const stamp = await fileStamp();
    if (cached && cached.mtimeMs === stamp.mtimeMs && cached.size === stamp.size) return cached.state;
    // Files of older versions lack the newer parts.
    const state =
      stamp.size < 0
        ? emptyState()
        : { ...emptyState(), ...(JSON.parse(await readFile(file, 'utf8')) as Partial<FileState>) };
    cached = { state, ...stamp };
    return state;
  };
  const save = async (state: FileState) => {
    await mkdir(directory, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(state));
    await rename(temporary, file);
    cached = { state, ...(await fileStamp()) };
  };
  // One transition at a time: each reads, changes and saves the state before the next. A step
  // returns `unchanged` (and its answer) when it changed nothing, which saves the write.
  const unchanged = Symbol('unchanged');
  const serial = <T>(step: (s: FileState) => T | { [unchanged]: T }): Promise<T> => {
    const next = queue.then(async () => {
      const state = await load();
      try {
        const result = step(state);
        if (typeof result === 'object' && result !== null && unchanged in result) return result[unchanged];
        await save(state);
        return result as T;
      } catch (error) {
        cached = undefined; // a step that failed half-way: the file is the truth
        throw error;
      }
    });
    queue = next.catch(() => undefined);
    return next;
  };
  const read = <T>(step: (s: FileState) => T) => serial((s) => ({ [unchanged]: step(s) }));
  return {
    holdSince: (host, key, now, maxGapMs) =>
      serial((s) => {
        const held = (s.held[host] ??= {});
        const t = now.getTime();
        const entry = held[key];
        if (!entry || t - entry.seen > maxGapMs) held[key] = { since: t, seen: t };
        else entry.seen = t;
        return new Date(held[key]!.since);
      }),
    clearHold: (host, key) =>
      serial((s) => {
        if (s.held[host]?.[key] === undefined) return { [unchanged]: undefined };
        delete s.held[host][key];
      }),
    heldKeys: (host) => read((s) => Object.keys(s.held[host] ?? {})),
    fire: (host, alert) =>
      serial((s) => {
        const firing = (s.firing[host] ??= {});
        if (firing[alert.key]) return { [unchanged]: false };
        firing[alert.key] = alert;
        return true;
      }),
    escalate: (host, alert) =>
      serial((s) => {
        const current = s.firing[host]?.[alert.key];
        if (current?.severity !== 'warning') return { [unchanged]: false };
        s.firing[host]![alert.key] = alert;
        return true;
      }),
    recover: (host, key, now) =>
      serial((s) => {
        const alert = s.firing[host]?.[key];
        if (!alert) return { [unchanged]: null };
        delete s.firing[host]![key];
        (s.recovered[host] ??= {})[key] = now.getTime();
        return alert;
      }),
    recoveredAt: (host, key) =>
      read((s) => {
        const at = s.recovered[host]?.[key];
        return at === undefined ? null : new Date(at);
      }),
    firing: (host) => read((s) => Object.values(s.firing[host] ?? {})),
    allFiring: () =>
      read((s) =>
        Object.entries(s.firing).flatMap(([host, alerts]) => Object.values(alerts).map((alert) => ({ host, alert }))),
      ),
    countFailure: (host) =>
      serial((s) => {
        s.failures[host] = (s.failures[host] ?? 0) + 1;
        return s.failures[host];
      }),
    resetFailures: (host) =>
      serial((s) => {
        if (s.failures[host] === undefined) return { [unchanged]: undefined };
        delete s.failures[host];
      }),
    record: (events) =>
      serial((s) => {
        if (events.length === 0) return { [unchanged]: undefined };
        const oldest = Date.now() - historyKeepMs;
        s.history = [...s.history.filter((e) => Date.parse(e.at) >= oldest), ...events];
      }),
    history: (since, until) =>
      read((s) => s.history.filter((e) => Date.parse(e.at) >= since.getTime() && Date.parse(e.at) <= until.getTime())),
    addSilence: (silence) =>
      serial((s) => {
        s.silences = [...s.silences.filter((x) => Date.parse(x.endsAt) >= Date.now() - silenceKeepMs), silence];
      }),
    expireSilence: (id, now) =>
      serial((s) => {
        const silence = s.silences.find((x) => x.id === id);
        if (!silence) return { [unchanged]: false };
        if (Date.parse(silence.endsAt) > now.getTime()) silence.endsAt = now.toISOString();
        return true;
      }),
    silences: () => read((s) => s.silences),
    claimSilenceEnd: (id) =>
      serial((s) => {
        if (s.silenceEnds.includes(id)) return { [unchanged]: false };
        const kept = new Set(s.silences.map((x) => x.id));
        s.silenceEnds = [...s.silenceEnds.filter((x) => kept.has(x)), id];
        return true;
      }),
  };
}
