import type {
  CollectionProblem,
  Filesystem,
  HostSnapshot,
  ResolvedHost,
  RunSpec,
  SecurityFinding,
} from '@infra-report/shared';
import { mergeAuthLogEvents } from '../auth-log-state.js';
import type { AuthLogEvents } from '../probes/auth-log.js';
import { emptySnapshot } from '../probes/empty-snapshot.js';
import { findSecurityIssues } from '../security.js';
import type { WindowsDocument } from './windows-document.js';
import { countWindowsLogons, nextBookmarks, parseEventXml, type WindowsEvent } from './windows-events.js';

/** What a Windows host's collection remembers: where each channel was read up to, and the window's logons. */
export interface WindowsState {
  bookmarks: Record<string, number>;
  events: AuthLogEvents;
}

/** A stored state checked; anything else is treated as absent. */
export function readWindowsState(value: unknown): WindowsState | null {
  const v = value as Partial<WindowsState> | null;
  if (!v || typeof v !== 'object' || typeof v.bookmarks !== 'object' || typeof v.events !== 'object') return null;
  const bookmarks = Object.fromEntries(
    Object.entries(v.bookmarks ?? {}).filter(([, n]) => typeof n === 'number' && Number.isInteger(n) && n >= 0),
  );
  const list = (key: keyof AuthLogEvents) => (Array.isArray(v.events?.[key]) ? v.events[key] : []);
  return {
    bookmarks,
    events: {
      accepted: list('accepted') as AuthLogEvents['accepted'],
      failed: list('failed') as AuthLogEvents['failed'],
      signals: list('signals') as AuthLogEvents['signals'],
      privilege: list('privilege') as AuthLogEvents['privilege'],
    },
  };
}

/** A drive as the report shows a file system: its letter is its mount point. */
function driveOf(disk: WindowsDocument['disks'][number]): Filesystem | null {
  if (disk.size === null || disk.free === null || disk.size <= 0) return null;
  const used = Math.max(0, disk.size - disk.free);
  return {
    device: disk.device,
    fsType: disk.filesystem ?? '',
    mount: disk.device,
    sizeBytes: disk.size,
    usedBytes: used,
    availableBytes: disk.free,
    usedPercent: Math.ceil((used / disk.size) * 100),
    inodesTotal: null,
    inodesUsed: null,
    inodesFree: null,
  };
}

/**
 * A Windows host's snapshot from its document: OS, uptime, drives, stopped automatic services,
 * the window's logons (this collection's events merged with those remembered), and what the host
 * or its events say is wrong (log cleared, failure auditing off, Security log not readable).
 */
export function windowsSnapshot(
  host: ResolvedHost,
  run: RunSpec,
  document: WindowsDocument,
  context: { previous: WindowsState | null; collectedAt: Date; latencyMs: number | null; bruteForceAttempts: number },
): { snapshot: HostSnapshot; state: WindowsState } {
  const problems: CollectionProblem[] = document.problems.map((message) => ({ probe: 'windows', message }));
  const events: WindowsEvent[] = [];
  for (const [channel, xmls] of Object.entries(document.events))
    for (const xml of xmls) {
      const { event, problem } = parseEventXml(xml);
      if (event) events.push(event);
      else if (problem) problems.push({ probe: `events ${channel}`, message: problem });
    }
  const window = { start: new Date(run.windowStart), end: new Date(run.windowEnd) };
  const counted = countWindowsLogons(events, window);
  for (const message of counted.problems) problems.push({ probe: 'logins', message });
  const merged = mergeAuthLogEvents(
    context.previous?.events ?? null,
    { accepted: counted.accepted, failed: counted.failed, signals: counted.signals, privilege: [] },
    run.windowStart,
  );
  const { bookmarks, rolledBack } = nextBookmarks(document.bookmarks, context.previous?.bookmarks ?? null);
  const now = new Date(document.now);
  const uptimeSeconds = Math.max(0, Math.round((now.getTime() - Date.parse(document.boot)) / 1000));
  const empty = emptySnapshot(host, run, context.collectedAt, context.latencyMs);
  const collected: Omit<HostSnapshot, 'security'> = {
    ...empty,
    platform: 'windows',
    os: {
      prettyName: `${document.os.caption} ${document.os.version}`.trim(),
      kernel: `Windows ${document.os.version}`,
      arch: null,
      hostname: document.computer || null,
      utcOffset: null,
      timeZone: document.timezone || null,
    },
    uptimeSeconds,
    bootTime: new Date(document.boot).toISOString(),
    filesystems: document.disks.flatMap((d) => driveOf(d) ?? []),
    failedUnits: document.services ?? null,
    logins: {
      ...empty.logins,
      source: 'Windows event log',
      ...merged.events,
    },
    problems,
  };
  const cleared: SecurityFinding[] = [
    ...counted.cleared.map((c) => ({
      severity: 'critical' as const,
      kind: 'log-cleared' as const,
      message: `the Security log was cleared by ${c.user} at ${c.time}`,
    })),
    ...rolledBack.map((channel) => ({
      severity: 'warning' as const,
      kind: 'log-cleared' as const,
      message: `the ${channel} log was cleared or rolled over since the last collection: events in between are lost`,
    })),
  ];
  const snapshot: HostSnapshot = {
    ...collected,
    security: [
      ...cleared,
      ...findSecurityIssues(collected, { bruteForceAttempts: context.bruteForceAttempts, allowedPorts: null }),
    ],
  };
  return { snapshot, state: { bookmarks, events: merged.events } };
}
