import type { HostSnapshot } from '@infra-report/shared';
import type { ReportHistory } from '../history.js';
import type { BackupRow, CertificateRow, HealthRow, ProcessRow, ResourceRow, SecurityRow, UptimeRow } from './types.js';

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
    s.security.map((f) => ({
      host: s.host,
      severity: f.severity,
      kind: f.kind,
      message: f.message,
      amount: f.amount ?? null,
    })),
  );
}

const kernelWords: Record<string, [string, string]> = {
  'oom-kill': ['OOM kill', 'OOM kills'],
  'io-error': ['I/O error', 'I/O errors'],
  'fs-error': ['filesystem error', 'filesystem errors'],
  segfault: ['segfault', 'segfaults'],
  'hung-task': ['hung task', 'hung tasks'],
  hardware: ['hardware error', 'hardware errors'],
};

/** "2 OOM kills (mysqld, java)": a kind's count and what it hit. */
export function describeKernelEvents(events: NonNullable<HostSnapshot['kernelEvents']>, kind: string): string {
  const n = events.counts[kind as keyof typeof events.counts] ?? 0;
  const words = kernelWords[kind] ?? [kind, kind];
  const subjects = [
    ...new Set(
      events.examples
        .filter((e) => e.kind === kind)
        .map((e) => e.subject)
        .filter(Boolean),
    ),
  ];
  return `${n} ${n === 1 ? words[0] : words[1]}${subjects.length > 0 ? ` (${subjects.join(', ')})` : ''}`;
}

/** Kernel trouble, pending updates and clock synchronisation, one row per host. */
export function buildHealthRows(snapshots: HostSnapshot[], groupOf: (host: string) => string): HealthRow[] {
  return snapshots.map((s) => {
    const kernel = s.kernelEvents ?? null;
    const clock = s.clockSync ?? null;
    return {
      host: s.host,
      group: groupOf(s.host),
      kernel: kernel ? kernel.counts : null,
      kernelDetail: kernel
        ? Object.keys(kernel.counts)
            .map((kind) => describeKernelEvents(kernel, kind))
            .join('; ')
        : 'not readable',
      pendingUpdates: s.updates?.pending ?? null,
      securityUpdates: s.updates?.security ?? null,
      rebootRequired: s.updates?.rebootRequired ?? null,
      packageCheck: s.updates?.answer ?? null,
      packageCheckCpuMs: s.updates?.checkCpuMs ?? null,
      clockSynchronized: clock?.synchronized ?? null,
      clockDetail: clock?.tool
        ? `${clock.tool}${clock.serviceActive === false ? ', service off' : ''}${clock.offsetSeconds !== null ? `, offset ${(clock.offsetSeconds * 1000).toFixed(1)} ms` : ''}`
        : 'no NTP tool',
    };
  });
}

/** Watched certificates with their days left at `now`; expired or unreadable ones and the nearest first. */
export function buildCertificateRows(
  snapshots: HostSnapshot[],
  now: Date,
  thresholds: { certificate_warn_days: number; certificate_critical_days: number },
): CertificateRow[] {
  return snapshots
    .flatMap((s) =>
      (s.certificates ?? []).map((c) => {
        const notAfter = c.notAfter ? new Date(c.notAfter) : null;
        const daysLeft = notAfter ? Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000) : null;
        const severity: CertificateRow['severity'] =
          daysLeft === null
            ? 'warning'
            : daysLeft <= thresholds.certificate_critical_days
              ? 'critical'
              : daysLeft <= thresholds.certificate_warn_days
                ? 'warning'
                : 'ok';
        return { host: s.host, target: c.target, subject: c.subject, notAfter, daysLeft, error: c.error, severity };
      }),
    )
    .sort((a, b) => (a.daysLeft ?? -Infinity) - (b.daysLeft ?? -Infinity) || a.host.localeCompare(b.host));
}
