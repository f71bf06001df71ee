import type { Redis } from 'ioredis';
import { createFileHostStateStore, createRedisHostStateStore, type HostStateStore } from './host-state.js';
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

export type AuthLogStateStore = HostStateStore<AuthLogState>;

/** In Redis for the services (every collector replica sees it); kept 31 days after the last run. */
export function createRedisAuthLogStateStore(redis: Redis, prefix: string): AuthLogStateStore {
  return createRedisHostStateStore(redis, prefix, 'authlog', readAuthLogState);
}

/** A JSON file per host, for the one-process mode. */
export function createFileAuthLogStateStore(directory: string): AuthLogStateStore {
  return createFileHostStateStore(directory, 'authlog', readAuthLogState);
}

/** A damaged state is treated as absent (the next run reads the window again), never a crash. */
function readAuthLogState(value: unknown): AuthLogState | null {
  const state = value as AuthLogState | null;
  if (
    typeof state?.position?.inode !== 'string' ||
    typeof state.position.offset !== 'number' ||
    !Array.isArray(state.events?.accepted)
  )
    return null;
  return state;
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
