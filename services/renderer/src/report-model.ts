import type { CollectedRun, Config, HostSnapshot, RunSpec } from '@infra-report/shared';

export type Severity = 'critical' | 'warning' | 'ok';

export interface AttentionItem {
  severity: Exclude<Severity, 'ok'>;
  host: string;
  category: 'unreachable' | 'disk' | 'logins' | 'reboot' | 'security' | 'services' | 'collection';
  message: string;
}

export interface DiskRow {
  host: string;
  mount: string;
  device: string;
  fsType: string;
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
  usedPercent: number;
  severity: Severity;
}

export interface AcceptedLoginRow {
  host: string;
  time: Date;
  user: string;
  sourceIp: string;
  method: string;
}

export interface FailedSourceRow {
  host: string;
  sourceIp: string;
  attempts: number;
  invalidUserAttempts: number;
  users: string[];
  firstAttempt: Date;
  lastAttempt: Date;
}

export interface UptimeRow {
  host: string;
  os: string | null;
  kernel: string | null;
  uptimeSeconds: number | null;
  bootTime: Date | null;
  rebootedInWindow: boolean;
  load1: number | null;
  cpuCount: number | null;
  memoryUsedPercent: number | null;
}

export interface HostRow {
  host: string;
  address: string;
  groups: string[];
  status: 'reporting' | 'unreachable';
  detail: string;
}

export interface ProblemRow {
  host: string;
  probe: string;
  message: string;
}

/** Everything a report shows, computed once: the PDF and the XLSX are two views of it. */
export interface ReportModel {
  title: string;
  company: string | undefined;
  run: RunSpec;
  generatedAt: Date;
  timezone: string;
  thresholds: { diskWarnPercent: number; diskCriticalPercent: number; failedLoginsWarn: number };
  summary: {
    hostsTotal: number;
    hostsReporting: number;
    hostsUnreachable: number;
    critical: number;
    warning: number;
    filesystems: number;
    acceptedLogins: number;
    failedLogins: number;
  };
  attention: AttentionItem[];
  hosts: HostRow[];
  disks: DiskRow[];
  acceptedLogins: AcceptedLoginRow[];
  failedBySource: FailedSourceRow[];
  uptime: UptimeRow[];
  unreachable: { host: string; address: string; reason: string }[];
  problems: ProblemRow[];
  security: { host: string; severity: 'critical' | 'warning'; kind: string; message: string }[];
}

type ReportSettings = Config['report'];

const severityRank: Record<Severity, number> = { critical: 0, warning: 1, ok: 2 };

export function buildReportModel(collected: CollectedRun, settings: ReportSettings, generatedAt: Date): ReportModel {
  const { thresholds } = settings;
  const snapshots = [...collected.snapshots].sort((a, b) => a.host.localeCompare(b.host));
  const failures = [...collected.failures].sort((a, b) => a.host.localeCompare(b.host));
  const windowStart = new Date(collected.run.windowStart);

  const diskSeverity = (percent: number): Severity =>
    percent >= thresholds.disk_critical_percent ? 'critical' : percent >= thresholds.disk_warn_percent ? 'warning' : 'ok';

  const disks: DiskRow[] = snapshots.flatMap((s) =>
    s.filesystems.map((fs) => ({ host: s.host, ...fs, severity: diskSeverity(fs.usedPercent) })),
  );

  const acceptedLogins = snapshots
    .flatMap((s) => s.logins.accepted.map((l) => ({ host: s.host, time: new Date(l.time), user: l.user, sourceIp: l.sourceIp, method: l.method })))
    .sort((a, b) => a.time.getTime() - b.time.getTime() || a.host.localeCompare(b.host));

  const failedBySource = snapshots.flatMap((s) => failedSources(s)).sort((a, b) => b.attempts - a.attempts || a.host.localeCompare(b.host) || a.sourceIp.localeCompare(b.sourceIp));

  const uptime: UptimeRow[] = snapshots.map((s) => {
    const bootTime = s.bootTime ? new Date(s.bootTime) : null;
    return {
      host: s.host,
      os: s.os.prettyName,
      kernel: s.os.kernel,
      uptimeSeconds: s.uptimeSeconds,
      bootTime,
      rebootedInWindow: bootTime !== null && bootTime >= windowStart,
      load1: s.load?.one ?? null,
      cpuCount: s.cpuCount,
      memoryUsedPercent: s.memory?.usedPercent ?? null,
    };
  });

  const attention: AttentionItem[] = [
    ...failures.map((f) => ({ severity: 'critical' as const, host: f.host, category: 'unreachable' as const, message: `unreachable: ${f.reason}` })),
    ...disks
      .filter((d) => d.severity !== 'ok')
      .map((d) => ({
        severity: d.severity as 'critical' | 'warning',
        host: d.host,
        category: 'disk' as const,
        message: `${d.mount} is ${d.usedPercent}% full (${formatBytes(d.availableBytes)} free of ${formatBytes(d.sizeBytes)})`,
      })),
    ...snapshots.flatMap((s) =>
      s.security
        // Brute force already has its own line from the failed-logins threshold.
        .filter((f) => f.kind !== 'brute-force')
        .map((f) => ({ severity: f.severity, host: s.host, category: 'security' as const, message: f.message })),
    ),
    ...snapshots
      .filter((s) => (s.failedUnits?.length ?? 0) > 0)
      .map((s) => ({ severity: 'warning' as const, host: s.host, category: 'services' as const, message: `failed systemd unit(s): ${s.failedUnits?.join(', ')}` })),
    ...failedBySource
      .filter((f) => f.attempts >= thresholds.failed_logins_warn)
      .map((f) => ({ severity: 'warning' as const, host: f.host, category: 'logins' as const, message: `${f.attempts} failed SSH logins from ${f.sourceIp}` })),
    ...uptime
      .filter((u) => u.rebootedInWindow)
      .map((u) => ({
        severity: 'warning' as const,
        host: u.host,
        category: 'reboot' as const,
        message: `rebooted at ${u.bootTime ? formatTime(u.bootTime, settings.timezone) : '?'}`,
      })),
    ...snapshots
      .filter((s) => s.problems.some((p) => p.probe === 'logins'))
      .map((s) => ({
        severity: 'warning' as const,
        host: s.host,
        category: 'collection' as const,
        message: s.problems.find((p) => p.probe === 'logins')?.message ?? '',
      })),
  ].sort((a, b) => severityRank[a.severity] - severityRank[b.severity] || a.host.localeCompare(b.host));

  const hosts: HostRow[] = [
    ...snapshots.map((s) => ({ host: s.host, address: s.address, groups: s.groups, status: 'reporting' as const, detail: s.os.prettyName ?? '' })),
    ...failures.map((f) => ({ host: f.host, address: f.address, groups: f.groups, status: 'unreachable' as const, detail: f.reason })),
  ].sort((a, b) => a.host.localeCompare(b.host));

  return {
    title: settings.title,
    company: settings.company,
    run: collected.run,
    generatedAt,
    timezone: settings.timezone,
    thresholds: {
      diskWarnPercent: thresholds.disk_warn_percent,
      diskCriticalPercent: thresholds.disk_critical_percent,
      failedLoginsWarn: thresholds.failed_logins_warn,
    },
    summary: {
      hostsTotal: snapshots.length + failures.length,
      hostsReporting: snapshots.length,
      hostsUnreachable: failures.length,
      critical: attention.filter((a) => a.severity === 'critical').length,
      warning: attention.filter((a) => a.severity === 'warning').length,
      filesystems: disks.length,
      acceptedLogins: acceptedLogins.length,
      failedLogins: snapshots.reduce((sum, s) => sum + s.logins.failed.reduce((n, f) => n + f.count, 0), 0),
    },
    attention,
    hosts,
    disks: disks.sort((a, b) => severityRank[a.severity] - severityRank[b.severity] || b.usedPercent - a.usedPercent || a.host.localeCompare(b.host)),
    acceptedLogins,
    failedBySource,
    uptime,
    unreachable: failures.map((f) => ({ host: f.host, address: f.address, reason: f.reason })),
    problems: snapshots.flatMap((s) => s.problems.map((p) => ({ host: s.host, probe: p.probe, message: p.message }))),
    security: snapshots.flatMap((s) => s.security.map((f) => ({ host: s.host, ...f }))),
  };
}

function failedSources(snapshot: HostSnapshot): FailedSourceRow[] {
  const bySource = new Map<string, FailedSourceRow>();
  for (const failure of snapshot.logins.failed) {
    const time = new Date(failure.time);
    let row = bySource.get(failure.sourceIp);
    if (!row) {
      row = { host: snapshot.host, sourceIp: failure.sourceIp, attempts: 0, invalidUserAttempts: 0, users: [], firstAttempt: time, lastAttempt: time };
      bySource.set(failure.sourceIp, row);
    }
    row.attempts += failure.count;
    if (failure.kind === 'invalid-user') row.invalidUserAttempts += failure.count;
    if (!row.users.includes(failure.user)) row.users.push(failure.user);
    if (time < row.firstAttempt) row.firstAttempt = time;
    if (time > row.lastAttempt) row.lastAttempt = time;
  }
  return [...bySource.values()];
}

/** Binary units as df -h prints them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return days > 0 ? `${days}d ${hours}h ${minutes}m` : `${hours}h ${minutes}m`;
}

/** A date and time in the report's time zone, e.g. "2026-11-22 08:00". */
export function formatTime(instant: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}
