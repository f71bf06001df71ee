import type { HostSnapshot } from '@infra-report/shared';
import type { ReportHistory } from '../history.js';
import type { BackupRow, ProcessRow, ResourceRow, SecurityRow, UptimeRow } from './types.js';

/** Uptime per host; a boot time inside the report window is a reboot. */
export function buildUptimeRows(
  snapshots: HostSnapshot[],
  groupOf: (host: string) => string,
  windowStart: Date,
): UptimeRow[] {
  return snapshots.map((s) => {
    const bootTime = s.bootTime ? new Date(s.bootTime) : null;
    return {
      host: s.host,
      group: groupOf(s.host),
      os: s.os.prettyName,
      kernel: s.os.kernel,
      uptimeSeconds: s.uptimeSeconds,
      bootTime,
      rebootedInWindow: bootTime !== null && bootTime >= windowStart,
    };
  });
}

/** CPU, load, memory, swap and temperature per host, with the 24-hour series from history. */
export function buildResourceRows(
  snapshots: HostSnapshot[],
  groupOf: (host: string) => string,
  history: ReportHistory,
): ResourceRow[] {
  return snapshots.map((s) => ({
    host: s.host,
    group: groupOf(s.host),
    cpuCount: s.cpuCount,
    cpuPercent: s.cpu?.usagePercent ?? null,
    iowaitPercent: s.cpu?.iowait ?? null,
    load1: s.load?.one ?? null,
    load5: s.load?.five ?? null,
    load15: s.load?.fifteen ?? null,
    memoryUsedPercent: s.memory?.usedPercent ?? null,
    memoryTotalBytes: s.memory?.totalBytes ?? null,
    swapUsedPercent:
      s.memory && s.memory.swapTotalBytes > 0
        ? Math.round(((s.memory.swapTotalBytes - s.memory.swapFreeBytes) / s.memory.swapTotalBytes) * 1000) / 10
        : null,
    maxTemperature: s.temperatures ? Math.max(...s.temperatures.map((t) => t.celsius)) : null,
    load24h: history.load24h.get(s.host) ?? [],
    memory24h: history.memory24h.get(s.host) ?? [],
  }));
}

export function buildProcessRows(snapshots: HostSnapshot[], groupOf: (host: string) => string): ProcessRow[] {
  return snapshots.map((s) => ({
    host: s.host,
    group: groupOf(s.host),
    total: s.processes?.total ?? null,
    running: s.processes?.running ?? null,
    blocked: s.processes?.blocked ?? null,
    zombies: s.processes?.zombies ?? null,
    failedUnits: s.failedUnits,
  }));
}

/** A backup with no file at all is critical; an old newest file is a warning. */
export function buildBackupRows(snapshots: HostSnapshot[]): BackupRow[] {
  return snapshots.flatMap((s) =>
    s.backups.map((b) => ({
      host: s.host,
      name: b.name,
      path: b.path,
      newestFile: b.newestFile,
      modified: b.modified ? new Date(b.modified) : null,
      ageHours: b.ageHours,
      sizeBytes: b.sizeBytes,
      maxAgeHours: b.maxAgeHours,
      severity: !b.newestFile ? ('critical' as const) : b.stale ? ('warning' as const) : ('ok' as const),
    })),
  );
}

export function buildSecurityRows(snapshots: HostSnapshot[]): SecurityRow[] {
  return snapshots.flatMap((s) =>
    s.security.map((f) => ({ host: s.host, severity: f.severity, kind: f.kind, message: f.message })),
  );
}
