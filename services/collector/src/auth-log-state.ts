import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { AuthLogEvents, AuthLogPosition } from './probes/auth-log.js';

/**
 * What a host's auth log looked like when last read: where reading stopped, and the events of
 * the window read so far, so each run reports the whole window while reading only new bytes.
 */
export interface AuthLogState {
  position: AuthLogPosition;
  events: AuthLogEvents;
  /** Newest event time read, to skip what was already counted when a rotated file was lost. */
  lastEventTime: string | null;
}

export interface AuthLogStateStore {
  load(host: string): Promise<AuthLogState | null>;
  save(host: string, state: AuthLogState): Promise<void>;
}

/** In Redis for the services (every collector replica sees it); kept 31 days after the last run. */
export function createRedisAuthLogStateStore(redis: Redis, prefix: string): AuthLogStateStore {
  const key = (host: string) => `${prefix}:authlog:${host}`;
  return {
    async load(host) {
      const text = await redis.get(key(host));
      return text ? parseState(text) : null;
    },
    async save(host, state) {
      await redis.set(key(host), JSON.stringify(state), 'EX', 31 * 86400);
    },
  };
}

/** A JSON file per host, for the one-process mode. */
export function createFileAuthLogStateStore(directory: string): AuthLogStateStore {
  const file = (host: string) => path.join(directory, `${host.replace(/[^A-Za-z0-9._-]/g, '_')}.authlog.json`);
  return {
    async load(host) {
      try {
        return parseState(await readFile(file(host), 'utf8'));
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

/** A damaged state file is treated as absent (the next run reads the window again), never a crash. */
function parseState(text: string): AuthLogState | null {
  try {
    const state = JSON.parse(text) as AuthLogState;
    if (
      typeof state?.position?.inode !== 'string' ||
      typeof state.position.offset !== 'number' ||
      !Array.isArray(state.events?.accepted)
    )
      return null;
    return state;
  } catch {
    return null;
  }
}

const maxEventsPerKind = 50_000;

/** Previous events still inside the window, plus the new ones; the newest kept when over the cap. */
export function mergeAuthLogEvents(
  previous: AuthLogEvents | null,
  fresh: AuthLogEvents,
  windowStart: string,
): { events: AuthLogEvents; capped: boolean } {
  let capped = false;
  const merge = <T extends { time: string }>(old: T[] | undefined, added: T[]): T[] => {
    const all = [...(old ?? []).filter((e) => e.time >= windowStart), ...added];
    if (all.length <= maxEventsPerKind) return all;
    capped = true;
    return all.sort((a, b) => a.time.localeCompare(b.time)).slice(-maxEventsPerKind);
  };
  const events = {
    accepted: merge(previous?.accepted, fresh.accepted),
    failed: merge(previous?.failed, fresh.failed),
    signals: merge(previous?.signals, fresh.signals),
    privilege: merge(previous?.privilege, fresh.privilege),
  };
  return { events, capped };
}

/** The events that pass `keep`, every kind alike. */
export function filterAuthLogEvents(events: AuthLogEvents, keep: (event: { time: string }) => boolean): AuthLogEvents {
  return {
    accepted: events.accepted.filter(keep),
    failed: events.failed.filter(keep),
    signals: events.signals.filter(keep),
    privilege: events.privilege.filter(keep),
  };
}
