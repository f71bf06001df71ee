import type { HostSnapshot, ResolvedHost, RunSpec } from '@infra-report/shared';
import { emptyOsInfo } from './system.js';

/** A snapshot with nothing read yet: what a probe does not fill stays unknown (null), not 0. */
export function emptySnapshot(
  host: ResolvedHost,
  run: RunSpec,
  collectedAt: Date,
  latencyMs: number | null,
): Omit<HostSnapshot, 'security' | 'problems'> {
  return {
    host: host.name,
    address: host.address,
    groups: host.groups,
    labels: host.labels,
    collectedAt: collectedAt.toISOString(),
    sshLatencyMs: latencyMs,
    collectedBytes: 0,
    os: emptyOsInfo(),
    cpuCount: null,
    uptimeSeconds: null,
    bootTime: null,
    load: null,
    cpu: null,
    temperatures: null,
    memory: null,
    filesystems: [],
    processes: null,
    failedUnits: null,
    listening: [],
    suspiciousProcesses: [],
    backups: [],
    usersNow: [],
    logins: {
      source: null,
      windowStart: run.windowStart,
      windowEnd: run.windowEnd,
      accepted: [],
      failed: [],
      signals: [],
      privilege: [],
    },
  };
}
