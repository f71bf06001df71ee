import type { HostSnapshot, PrivilegeUse, reportSectionNames, RunSpec } from '@infra-report/shared';

export type Severity = 'critical' | 'warning' | 'ok';

export interface AttentionItem {
  severity: Exclude<Severity, 'ok'>;
  host: string;
  category:
    | 'unreachable'
    | 'disk'
    | 'logins'
    | 'reboot'
    | 'security'
    | 'services'
    | 'backup'
    | 'collection'
    | 'kernel'
    | 'updates'
    | 'clock'
    | 'certificates';
  /** What kind of finding ("brute-force", "disk-critical", "reboot", ...): items roll up by kind and subject. */
  kind: string;
  /** What it is about across hosts (a source address, a unit list); empty when the kind alone groups. */
  subject: string;
  /** The figure behind it, added up in the roll-up (failed attempts); null when there is none. */
  amount: number | null;
  message: string;
}

/** One finding across the fleet: every host with the same kind and subject, ranked by severity then breadth. */
export interface Rollup {
  severity: Exclude<Severity, 'ok'>;
  category: AttentionItem['category'];
  kind: string;
  subject: string;
  /** "183.62.140.253: 57,200 failed SSH logins on 200 hosts". */
  title: string;
  hosts: string[];
  /** A few hosts with their detail, for the one-line view: "db01 /var 97%, web02 / 91%". */
  examples: string;
  items: AttentionItem[];
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

/** One source's failed attempts and probes on one host (README "What counts as a failed login"). */
export interface FailedSourceRow {
  host: string;
  sourceIp: string;
  attempts: number;
  invalidUserAttempts: number;
  /** Connections that ended before a login: scans, probes, pre-auth disconnects. */
  probes: number;
  users: string[];
  /** First and last attempt or probe. */
  firstAttempt: Date;
  lastAttempt: Date;
}

/** One source's failed attempts and probes across every host. */
export interface FleetSourceRow {
  sourceIp: string;
  attempts: number;
  invalidUserAttempts: number;
  probes: number;
  hosts: string[];
  users: string[];
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

/** Kernel trouble, pending updates and clock synchronisation of one host (null: not known). */
export interface HealthRow {
  host: string;
  group: string;
  /** Null when the kernel log could not be read. */
  kernel: Partial<Record<'oom-kill' | 'io-error' | 'fs-error' | 'segfault' | 'hung-task' | 'hardware', number>> | null;
  kernelDetail: string;
  pendingUpdates: number | null;
  securityUpdates: number | null;
  rebootRequired: boolean | null;
  /** How the updates were found: simulated, precomputed, unchanged, deferred (null: not checked). */
  packageCheck: string | null;
  /** Host CPU the package check cost in this collection, ms. */
  packageCheckCpuMs: number | null;
  clockSynchronized: boolean | null;
  clockDetail: string;
}

/** A watched certificate on one host, with its days left at the end of the window. */
export interface CertificateRow {
  host: string;
  target: string;
  subject: string | null;
  notAfter: Date | null;
  daysLeft: number | null;
  error: string | null;
  severity: Severity;
}

/** What changed since the day before, from the history in InfluxDB. */
export interface SinceYesterday {
  /** False without history: nothing can be compared. */
  known: boolean;
  newHosts: string[];
  goneHosts: string[];
  /** Filesystems that grew by more than 10 percentage points since the last run. */
  grownDisks: { host: string; mount: string; from: number; to: number }[];
  newPorts: { host: string; port: string; addresses: string[] }[];
  newLoginSources: { host: string; source: string; user: string }[];
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
  amount: number | null;
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
  /** Stated once in the report instead of per host (e.g. processes that need root to inspect). */
  expectedConditions: string[];
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
  /** The attention items rolled up across hosts, most severe and broadest first. */
  rollups: Rollup[];
  /** The security findings rolled up across hosts the same way. */
  securityRollups: Rollup[];
  /** Host groups in report order; "(no group)" for hosts without one. */
  groups: string[];
  groupSummary: GroupRow[];
  hosts: HostRow[];
  disks: DiskRow[];
  acceptedLogins: AcceptedLoginRow[];
  rootLogins: AcceptedLoginRow[];
  failedBySource: FailedSourceRow[];
  /** The same, added up per source across hosts (the PDF's view; the XLSX keeps the per-host rows). */
  failedBySourceAcrossHosts: FleetSourceRow[];
  failedByUser: FailedUserRow[];
  privilege: (PrivilegeUse & { host: string })[];
  uptime: UptimeRow[];
  health: HealthRow[];
  certificates: CertificateRow[];
  sinceYesterday: SinceYesterday;
  resources: ResourceRow[];
  processes: ProcessRow[];
  backups: BackupRow[];
  unreachable: { host: string; address: string; group: string; reason: string }[];
  problems: ProblemRow[];
  security: SecurityRow[];
  /** Hosts whose appendix block is included (report.appendix_max_hosts), in report order. */
  appendixHosts: { group: string; snapshot: HostSnapshot }[];
  appendixOmitted: number;
  /** Readings of probes without a section of their own, per host (the XLSX's Readings sheet). */
  readings: { host: string; name: string; value: number | string | null }[];
  /** Immediate alerts that fired, escalated or recovered within the report's window, oldest first. */
  alertsFired: AlertFiredRow[];
}

export interface AlertFiredRow {
  at: Date;
  host: string;
  state: 'fired' | 'escalated' | 'recovered';
  severity: 'critical' | 'warning';
  rule: string;
  message: string;
  /** sampling or collection */
  source: string;
  /** Held back by a silence ("until 14:00 by alice: maintenance"); null when notified. */
  silenced: string | null;
}

export const severityRank: Record<Severity, number> = { critical: 0, warning: 1, ok: 2 };

export function worseOf(a: Severity, b: Severity): Severity {
  return severityRank[a] <= severityRank[b] ? a : b;
}
