import type {
  CollectedRun,
  Config,
  HostSnapshot,
  PrivilegeUse,
  reportSectionNames,
  RunSpec,
} from '@infra-report/shared';
import { formatBytes, formatTime } from './format.js';
import { diskKey, forecastDiskFull, noHistory, type ReportHistory } from './history.js';

export { formatBytes, formatDuration, formatTime } from './format.js';

export type Severity = 'critical' | 'warning' | 'ok';

export interface AttentionItem {
  severity: Exclude<Severity, 'ok'>;
  host: string;
  category: 'unreachable' | 'disk' | 'logins' | 'reboot' | 'security' | 'services' | 'backup' | 'collection';
  message: string;
}

export interface DiskRow {
  host: string;
  group: string;
  mount: string;
  device: string;
  fsType: string;
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
  usedPercent: number;
  inodesUsedPercent: number | null;
  severity: Severity;
  /** Used % at the previous run; null without history. */
  previousPercent: number | null;
  daysUntilFull: number | null;
  forecastNote: string;
}

export interface AcceptedLoginRow {
  host: string;
  time: Date;
  user: string;
  sourceIp: string;
  method: string;
  /** No accepted login from this address on this host in the 90 days before (null: unknown). */
  firstSeen: boolean | null;
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

export interface FailedUserRow {
  user: string;
  attempts: number;
  invalid: boolean;
  sources: number;
  hosts: string[];
}

export interface UptimeRow {
  host: string;
  group: string;
  os: string | null;
  kernel: string | null;
  uptimeSeconds: number | null;
  bootTime: Date | null;
  rebootedInWindow: boolean;
}

export interface ResourceRow {
  host: string;
  group: string;
  cpuCount: number | null;
  cpuPercent: number | null;
  iowaitPercent: number | null;
  load1: number | null;
  load5: number | null;
  load15: number | null;
  memoryUsedPercent: number | null;
  memoryTotalBytes: number | null;
  swapUsedPercent: number | null;
  maxTemperature: number | null;
  /** Hourly means over the last 24 hours from InfluxDB (empty without history). */
  load24h: { time: number; value: number }[];
  memory24h: { time: number; value: number }[];
}

export interface ProcessRow {
  host: string;
  group: string;
  total: number | null;
  running: number | null;
  blocked: number | null;
  zombies: number | null;
  failedUnits: string[] | null;
}

export interface BackupRow {
  host: string;
  name: string;
  path: string;
  newestFile: string | null;
  modified: Date | null;
  ageHours: number | null;
  sizeBytes: number | null;
  maxAgeHours: number;
  severity: Severity;
}

export interface HostRow {
  host: string;
  address: string;
  group: string;
  groups: string[];
  status: 'reporting' | 'unreachable';
  detail: string;
  critical: number;
  warnings: number;
}

export interface ProblemRow {
  host: string;
  probe: string;
  message: string;
}

export interface GroupRow {
  group: string;
  hosts: number;
  reporting: number;
  unreachable: number;
  critical: number;
  warnings: number;
}

export interface SecurityRow {
  host: string;
  severity: 'critical' | 'warning';
  kind: string;
  message: string;
}

export type ReportSection = (typeof reportSectionNames)[number];

/** Everything a report shows, computed once: the PDF and the XLSX are two views of it. */
export interface ReportModel {
  title: string;
  company: string | undefined;
  logoFile: string | undefined;
  /** A CJK font to use beside DejaVu (report.cjk_font_file; otherwise the usual system paths are tried). */
  cjkFontFile: string | undefined;
  sections: Set<ReportSection>;
  run: RunSpec;
  generatedAt: Date;
  timezone: string;
  thresholds: { diskWarnPercent: number; diskCriticalPercent: number; failedLoginsWarn: number };
  /** Said on the summary page when comparisons and forecasts could not be made. */
  historyNote: string | null;
  summary: {
    hostsTotal: number;
    hostsReporting: number;
    hostsUnreachable: number;
    critical: number;
    warning: number;
    filesystems: number;
    acceptedLogins: number;
    failedLogins: number;
    newSourceIps: number;
    rebooted: number;
  };
  attention: AttentionItem[];
  /** Host groups in report order; "(no group)" for hosts without one. */
  groups: string[];
  groupSummary: GroupRow[];
  hosts: HostRow[];
  disks: DiskRow[];
  acceptedLogins: AcceptedLoginRow[];
  rootLogins: AcceptedLoginRow[];
  failedBySource: FailedSourceRow[];
  failedByUser: FailedUserRow[];
  privilege: (PrivilegeUse & { host: string })[];
  uptime: UptimeRow[];
  resources: ResourceRow[];
  processes: ProcessRow[];
  backups: BackupRow[];
  unreachable: { host: string; address: string; group: string; reason: string }[];
  problems: ProblemRow[];
  security: SecurityRow[];
  /** Hosts whose appendix block is included (report.appendix_max_hosts), in report order. */
  appendixHosts: { group: string; snapshot: HostSnapshot }[];
  appendixOmitted: number;
}

type ReportSettings = Config['report'];

const severityRank: Record<Severity, number> = { critical: 0, warning: 1, ok: 2 };
const noGroup = '(no group)';

export function buildReportModel(
  collected: CollectedRun,
  settings: ReportSettings,
  generatedAt: Date,
  history: ReportHistory = noHistory('no history was read'),
): ReportModel {
  const { thresholds } = settings;
  const tz = settings.timezone;
  const labelKey = settings.group_by.startsWith('label:') ? settings.group_by.slice('label:'.length) : null;
  const groupOf = new Map<string, string>(
    [...collected.snapshots, ...collected.failures].map((h) => [
      h.host,
      settings.group_by === 'none'
        ? noGroup
        : labelKey
          ? (('labels' in h ? h.labels[labelKey] : undefined) ?? noGroup)
          : (h.groups[0] ?? noGroup),
    ]),
  );
  const hostGroup = (host: string) => groupOf.get(host) ?? noGroup;
  const byGroupThenHost = <T extends { group: string; host: string }>(a: T, b: T) =>
    a.group.localeCompare(b.group) || a.host.localeCompare(b.host);
  const snapshots = [...collected.snapshots].sort(
    (a, b) => hostGroup(a.host).localeCompare(hostGroup(b.host)) || a.host.localeCompare(b.host),
  );
  const failures = [...collected.failures].sort((a, b) => a.host.localeCompare(b.host));
  const windowStart = new Date(collected.run.windowStart);

  const diskSeverity = (percent: number): Severity =>
    percent >= thresholds.disk_critical_percent
      ? 'critical'
      : percent >= thresholds.disk_warn_percent
        ? 'warning'
        : 'ok';

  const disks: DiskRow[] = snapshots.flatMap((s) =>
    s.filesystems.map((fs) => {
      const key = diskKey(s.host, fs.mount);
      const forecast = history.unavailable
        ? { daysUntilFull: null, note: 'no history' }
        : forecastDiskFull(history.diskSeries.get(key) ?? [], {
            time: Date.parse(s.collectedAt),
            usedBytes: fs.usedBytes,
            availableBytes: fs.availableBytes,
          });
      const inodeSeverityPercent = fs.inodesTotal ? Math.ceil(((fs.inodesUsed ?? 0) * 100) / fs.inodesTotal) : null;
      const severity = worseOf(
        diskSeverity(fs.usedPercent),
        inodeSeverityPercent === null ? 'ok' : diskSeverity(inodeSeverityPercent),
      );
      return {
        host: s.host,
        group: hostGroup(s.host),
        mount: fs.mount,
        device: fs.device,
        fsType: fs.fsType,
        sizeBytes: fs.sizeBytes,
        usedBytes: fs.usedBytes,
        availableBytes: fs.availableBytes,
        usedPercent: fs.usedPercent,
        inodesUsedPercent: inodeSeverityPercent,
        severity,
        previousPercent: history.previousDiskPercent.get(key) ?? null,
        daysUntilFull: forecast.daysUntilFull,
        forecastNote: forecast.note,
      };
    }),
  );

  const acceptedLogins: AcceptedLoginRow[] = snapshots
    .flatMap((s) => {
      const known = history.loginHistoryKnown ? (history.knownSourceIps.get(s.host) ?? new Set<string>()) : null;
      const seenThisWindow = new Set<string>();
      return [...s.logins.accepted]
        .sort((a, b) => a.time.localeCompare(b.time))
        .map((l) => {
          const firstSeen =
            known === null || l.sourceIp === '' ? null : !known.has(l.sourceIp) && !seenThisWindow.has(l.sourceIp);
          seenThisWindow.add(l.sourceIp);
          return {
            host: s.host,
            time: new Date(l.time),
            user: l.user,
            sourceIp: l.sourceIp,
            method: l.method,
            firstSeen,
          };
        });
    })
    .sort((a, b) => a.time.getTime() - b.time.getTime() || a.host.localeCompare(b.host));

  const failedBySource = snapshots
    .flatMap((s) => failedSources(s))
    .sort((a, b) => b.attempts - a.attempts || a.host.localeCompare(b.host) || a.sourceIp.localeCompare(b.sourceIp));

  const failedByUserMap = new Map<string, FailedUserRow & { sourceSet: Set<string> }>();
  for (const s of snapshots) {
    for (const f of s.logins.failed) {
      const row = failedByUserMap.get(f.user) ?? {
        user: f.user,
        attempts: 0,
        invalid: false,
        sources: 0,
        hosts: [],
        sourceSet: new Set<string>(),
      };
      row.attempts += f.count;
      row.invalid ||= f.kind === 'invalid-user';
      row.sourceSet.add(f.sourceIp);
      if (!row.hosts.includes(s.host)) row.hosts.push(s.host);
      failedByUserMap.set(f.user, row);
    }
  }
  const failedByUser = [...failedByUserMap.values()]
    .map(({ sourceSet, ...row }) => ({ ...row, sources: sourceSet.size }))
    .sort((a, b) => b.attempts - a.attempts || a.user.localeCompare(b.user));

  const uptime: UptimeRow[] = snapshots.map((s) => {
    const bootTime = s.bootTime ? new Date(s.bootTime) : null;
    return {
      host: s.host,
      group: hostGroup(s.host),
      os: s.os.prettyName,
      kernel: s.os.kernel,
      uptimeSeconds: s.uptimeSeconds,
      bootTime,
      rebootedInWindow: bootTime !== null && bootTime >= windowStart,
    };
  });

  const resources: ResourceRow[] = snapshots.map((s) => ({
    host: s.host,
    group: hostGroup(s.host),
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

  const processes: ProcessRow[] = snapshots.map((s) => ({
    host: s.host,
    group: hostGroup(s.host),
    total: s.processes?.total ?? null,
    running: s.processes?.running ?? null,
    blocked: s.processes?.blocked ?? null,
    zombies: s.processes?.zombies ?? null,
    failedUnits: s.failedUnits,
  }));

  const backups: BackupRow[] = snapshots.flatMap((s) =>
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

  const security: SecurityRow[] = snapshots.flatMap((s) =>
    s.security.map((f) => ({ host: s.host, severity: f.severity, kind: f.kind, message: f.message })),
  );

  const attention: AttentionItem[] = [
    ...failures.map((f) => ({
      severity: 'critical' as const,
      host: f.host,
      category: 'unreachable' as const,
      message: `unreachable: ${f.reason}`,
    })),
    ...disks
      .filter((d) => d.severity !== 'ok')
      .map((d) => ({
        severity: d.severity as 'critical' | 'warning',
        host: d.host,
        category: 'disk' as const,
        message:
          `${d.mount} is ${d.usedPercent}% full (${formatBytes(d.availableBytes)} free of ${formatBytes(d.sizeBytes)})` +
          (d.inodesUsedPercent !== null && d.inodesUsedPercent >= thresholds.disk_warn_percent
            ? `, inodes ${d.inodesUsedPercent}% used`
            : '') +
          (d.previousPercent !== null && d.previousPercent < thresholds.disk_warn_percent
            ? `, new since the last run (was ${Math.round(d.previousPercent)}%)`
            : '') +
          (d.daysUntilFull !== null ? `, full in ~${Math.round(d.daysUntilFull)} days` : ''),
      })),
    ...disks
      .filter((d) => d.severity === 'ok' && d.daysUntilFull !== null && d.daysUntilFull <= 14)
      .map((d) => ({
        severity: 'warning' as const,
        host: d.host,
        category: 'disk' as const,
        message: `${d.mount} will be full in ~${Math.round(d.daysUntilFull ?? 0)} days at its current growth (${d.forecastNote})`,
      })),
    ...security
      .filter((f) => f.kind !== 'brute-force')
      .map((f) => ({ severity: f.severity, host: f.host, category: 'security' as const, message: f.message })),
    ...acceptedLogins
      .filter((l) => l.firstSeen === true)
      .map((l) => ({
        severity: 'warning' as const,
        host: l.host,
        category: 'logins' as const,
        message: `first login from ${l.sourceIp} (user ${l.user}, ${formatTime(l.time, tz)})`,
      })),
    ...processes
      .filter((p) => (p.failedUnits?.length ?? 0) > 0)
      .map((p) => ({
        severity: 'warning' as const,
        host: p.host,
        category: 'services' as const,
        message: `failed systemd unit(s): ${p.failedUnits?.join(', ')}`,
      })),
    ...failedBySource
      .filter((f) => f.attempts >= thresholds.failed_logins_warn)
      .map((f) => ({
        severity: 'warning' as const,
        host: f.host,
        category: 'logins' as const,
        message: `${f.attempts} failed SSH logins from ${f.sourceIp}`,
      })),
    ...uptime
      .filter((u) => u.rebootedInWindow)
      .map((u) => ({
        severity: 'warning' as const,
        host: u.host,
        category: 'reboot' as const,
        message: `rebooted at ${u.bootTime ? formatTime(u.bootTime, tz) : '?'}`,
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

  const counts = new Map<string, { critical: number; warning: number }>();
  for (const a of attention) {
    const c = counts.get(a.host) ?? { critical: 0, warning: 0 };
    c[a.severity] += 1;
    counts.set(a.host, c);
  }
  const countFor = (host: string, severity: 'critical' | 'warning') => counts.get(host)?.[severity] ?? 0;
  const hosts: HostRow[] = [
    ...snapshots.map((s) => ({
      host: s.host,
      address: s.address,
      group: hostGroup(s.host),
      groups: s.groups,
      status: 'reporting' as const,
      detail: s.os.prettyName ?? '',
    })),
    ...failures.map((f) => ({
      host: f.host,
      address: f.address,
      group: hostGroup(f.host),
      groups: f.groups,
      status: 'unreachable' as const,
      detail: f.reason,
    })),
  ]
    .map((h) => ({ ...h, critical: countFor(h.host, 'critical'), warnings: countFor(h.host, 'warning') }))
    .sort(byGroupThenHost);

  const appendixLimit = settings.appendix_max_hosts;
  return {
    title: settings.title,
    company: settings.company,
    logoFile: settings.logo_file,
    cjkFontFile: settings.cjk_font_file,
    sections: new Set(settings.sections),
    run: collected.run,
    generatedAt,
    timezone: tz,
    thresholds: {
      diskWarnPercent: thresholds.disk_warn_percent,
      diskCriticalPercent: thresholds.disk_critical_percent,
      failedLoginsWarn: thresholds.failed_logins_warn,
    },
    historyNote: history.unavailable,
    summary: {
      hostsTotal: snapshots.length + failures.length,
      hostsReporting: snapshots.length,
      hostsUnreachable: failures.length,
      critical: attention.filter((a) => a.severity === 'critical').length,
      warning: attention.filter((a) => a.severity === 'warning').length,
      filesystems: disks.length,
      acceptedLogins: acceptedLogins.length,
      failedLogins: snapshots.reduce((sum, s) => sum + s.logins.failed.reduce((n, f) => n + f.count, 0), 0),
      newSourceIps: acceptedLogins.filter((l) => l.firstSeen === true).length,
      rebooted: uptime.filter((u) => u.rebootedInWindow).length,
    },
    attention,
    groups: [...new Set(hosts.map((h) => h.group))],
    groupSummary: [...new Set(hosts.map((h) => h.group))].map((group) => {
      const members = hosts.filter((h) => h.group === group);
      return {
        group,
        hosts: members.length,
        reporting: members.filter((h) => h.status === 'reporting').length,
        unreachable: members.filter((h) => h.status === 'unreachable').length,
        critical: members.reduce((n, h) => n + h.critical, 0),
        warnings: members.reduce((n, h) => n + h.warnings, 0),
      };
    }),
    hosts,
    disks: disks.sort(
      (a, b) =>
        severityRank[a.severity] - severityRank[b.severity] ||
        b.usedPercent - a.usedPercent ||
        a.host.localeCompare(b.host),
    ),
    acceptedLogins,
    rootLogins: acceptedLogins.filter((l) => l.user === 'root'),
    failedBySource,
    failedByUser,
    privilege: snapshots
      .flatMap((s) => s.logins.privilege.map((p) => ({ ...p, host: s.host })))
      .sort((a, b) => a.time.localeCompare(b.time)),
    uptime,
    resources,
    processes,
    backups,
    unreachable: failures.map((f) => ({
      host: f.host,
      address: f.address,
      group: hostGroup(f.host),
      reason: f.reason,
    })),
    problems: snapshots.flatMap((s) => s.problems.map((p) => ({ host: s.host, probe: p.probe, message: p.message }))),
    security,
    appendixHosts: snapshots.slice(0, appendixLimit).map((snapshot) => ({ group: hostGroup(snapshot.host), snapshot })),
    appendixOmitted: Math.max(0, snapshots.length - appendixLimit),
  };
}

function worseOf(a: Severity, b: Severity): Severity {
  return severityRank[a] <= severityRank[b] ? a : b;
}

function failedSources(snapshot: HostSnapshot): FailedSourceRow[] {
  const bySource = new Map<string, FailedSourceRow>();
  for (const failure of snapshot.logins.failed) {
    const time = new Date(failure.time);
    let row = bySource.get(failure.sourceIp);
    if (!row) {
      row = {
        host: snapshot.host,
        sourceIp: failure.sourceIp,
        attempts: 0,
        invalidUserAttempts: 0,
        users: [],
        firstAttempt: time,
        lastAttempt: time,
      };
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
