import type { AlertEvent } from './alerts/alert-event.js';
/**
 * What a collector returns for one host: compact, JSON-serialisable, the input of the report.
 * A value the host could not give is `null` and explained in `problems`, never a made-up 0.
 */
export interface HostSnapshot {
  host: string;
  /** Set for Windows hosts (what is read differs: the report says so once). */
  platform?: 'windows';
  address: string;
  groups: string[];
  labels: Record<string, string>;
  /** ISO 8601 instant the collection finished. */
  collectedAt: string;
  /** Time to connect and authenticate (null for the local machine). */
  sshLatencyMs: number | null;
  /** Bytes of command output received from the host for this collection. */
  collectedBytes: number;
  os: OsInfo;
  cpuCount: number | null;
  uptimeSeconds: number | null;
  /** ISO 8601 instant the host booted (now − uptime). */
  bootTime: string | null;
  load: LoadAverage | null;
  cpu: CpuUsage | null;
  /** Null when the host has no readable sensor (most VMs): not 0 °C. */
  temperatures: TemperatureReading[] | null;
  memory: MemoryInfo | null;
  filesystems: Filesystem[];
  processes: ProcessCounts | null;
  /** Failed systemd units; null when the host does not run systemd. */
  failedUnits: string[] | null;
  listening: ListeningSocket[];
  suspiciousProcesses: SuspiciousProcess[];
  backups: BackupStatus[];
  security: SecurityFinding[];
  usersNow: LoggedInUser[];
  logins: LoginSummary;
  /** Kernel trouble in the window; null when the kernel log could not be read (absent: older snapshot). */
  kernelEvents?: KernelEvents | null;
  updates?: UpdatesInfo | null;
  clockSync?: ClockSync | null;
  certificates?: CertificateStatus[];
  counters?: LinuxCounters | null;
  /**
   * Readings of probes that have no field of their own (name → value, null when the host could
   * not give it): listed per host in the report's appendix and the XLSX's Readings sheet.
   */
  readings?: Record<string, number | string | null>;
  /** Marked gaps: what could not be collected or parsed, and why. */
  problems: CollectionProblem[];
  /**
   * Immediate alerts this collection raised or cleared (the rules on for collections); the run's
   * renderer hands them to the notify queue together, so a run notifies once per recipient set.
   */
  alerts?: AlertEvent[];
}

export interface OsInfo {
  prettyName: string | null;
  kernel: string | null;
  arch: string | null;
  hostname: string | null;
  /** The host's UTC offset when collected, e.g. "+0100". */
  utcOffset: string | null;
  /** The IANA zone its syslog daemon writes in (/etc/localtime), when known. */
  timeZone?: string | null;
}

export interface LoadAverage {
  one: number;
  five: number;
  fifteen: number;
}

export interface MemoryInfo {
  totalBytes: number;
  availableBytes: number;
  usedBytes: number;
  usedPercent: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
  /** Telegraf's mem input fields beyond ours (cached, free, buffered, slab, ...), in bytes. */
  telegraf?: Record<string, number>;
}

export interface Filesystem {
  device: string;
  fsType: string;
  mount: string;
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
  /** As df computes it: used / (used + available), rounded up. */
  usedPercent: number;
  /** From df -i; null where the filesystem has no inode count (btrfs, some network filesystems). */
  inodesTotal: number | null;
  inodesUsed: number | null;
  inodesFree: number | null;
}

/** Percent of CPU time between two /proc/stat samples one second apart. */
export interface CpuUsage {
  usagePercent: number;
  user: number;
  system: number;
  idle: number;
  iowait: number;
  steal: number;
  /** Telegraf's cpu input fields (usage_user ... usage_guest_nice), absent in older snapshots. */
  telegraf?: Record<string, number>;
}

export interface TemperatureReading {
  sensor: string;
  celsius: number;
}

export interface ListeningSocket {
  protocol: 'tcp' | 'udp';
  /** "0.0.0.0", "::", "127.0.0.1", "::1"; "*" where ss says every address (IPv4 and IPv6). */
  address: string;
  port: number;
}

export interface SuspiciousProcess {
  pid: number;
  executable: string;
  /** The executable was deleted after the process started. */
  deleted: boolean;
}

export interface BackupStatus {
  name: string;
  path: string;
  newestFile: string | null;
  modified: string | null;
  ageHours: number | null;
  sizeBytes: number | null;
  maxAgeHours: number;
  /** Older than max_age_hours, or no file at all. */
  stale: boolean;
}

export interface SecurityFinding {
  severity: 'critical' | 'warning';
  kind:
    | 'brute-force'
    | 'possible-compromise'
    | 'invalid-usernames'
    | 'suspicious-process'
    | 'unexpected-port'
    | 'stale-backup'
    /** A Windows event log cleared (1102), or rolled over past what was read last time. */
    | 'log-cleared';
  message: string;
  /** The figure behind it (failed attempts of a brute-force source), for ranking and roll-ups. */
  amount?: number;
}

export interface ProcessCounts {
  total: number;
  running: number;
  sleeping: number;
  blocked: number;
  zombies: number;
  stopped: number;
  /** As Telegraf's processes input counts them (absent in older snapshots). */
  idle?: number;
  paging?: number;
  dead?: number;
  parked?: number;
  unknown?: number;
  threads?: number;
}

/**
 * Kernel counters written raw under Telegraf's names (kernel, diskio, net, netstat, nstat,
 * linux_sysctl_fs, swap in/out), so rate panels (non_negative_derivative) work. Absent in older
 * snapshots; null when /proc could not be read.
 */
export interface LinuxCounters {
  kernel: Record<string, Counter>;
  swap: { in: number; out: number } | null;
  diskio: { name: string; fields: Record<string, Counter> }[];
  net: { interface: string; fields: Record<string, Counter> }[];
  /** /proc/net/snmp as Telegraf's net input names it (tcp_activeopens, udp_indatagrams, ...): interface "all". */
  protocols: Record<string, Counter>;
  netstat: Record<string, Counter>;
  nstat: { netstat: Record<string, Counter>; snmp: Record<string, Counter>; snmp6: Record<string, Counter> };
  sysctlFs: Record<string, Counter>;
}

/** A counter: a number, or its exact decimal digits when beyond 2^53 (file-max is 2^63 - 1). */
export type Counter = number | string;

export interface LoggedInUser {
  user: string;
  line: string;
  /** ISO 8601 or the text `who` printed when it could not be parsed. */
  since: string;
  from: string | null;
}

export type LoginMethod = 'password' | 'publickey' | 'keyboard-interactive' | 'hostbased' | 'gssapi-with-mic' | 'other';

export interface AcceptedLogin {
  time: string;
  user: string;
  sourceIp: string;
  port: number | null;
  method: LoginMethod;
}

/** Why an attempt failed; README "What counts as a failed login" says which sshd line gives which. */
export type FailureKind =
  | 'wrong-password'
  | 'invalid-user'
  | 'publickey-refused'
  | 'hostbased-refused'
  | 'keyboard-interactive'
  /** AllowUsers, DenyUsers, AllowGroups, DenyGroups, a missing shell or a locked account. */
  | 'not-allowed'
  /** PermitRootLogin. */
  | 'root-refused'
  | 'pam-failure'
  /** "maximum authentication attempts exceeded" in a connection that logged no "Failed" line (MaxAuthTries). */
  | 'max-attempts'
  | 'other';

export interface FailedLogin {
  /** The (first) attempt's time. */
  time: string;
  /** The last attempt's time, when the entry stands for several (see compactLogins). */
  lastTime?: string;
  user: string;
  sourceIp: string;
  kind: FailureKind;
  /** How many attempts this entry stands for (`message repeated N times`, or merged entries). */
  count: number;
}

/**
 * Pre-authentication events that are not attempts of their own but tell of an attack. "scan",
 * "closed-preauth" and "max-attempts" are one per connection that ended before a login (a probe);
 * "invalid-user" one per "Invalid user" line.
 */
export interface AuthSignal {
  time: string;
  /** The last one's time, when the entry stands for several (see compactLogins). */
  lastTime?: string;
  kind: 'invalid-user' | 'max-attempts' | 'closed-preauth' | 'scan';
  /** Empty when the log does not name one. */
  user: string;
  sourceIp: string;
  count: number;
}

/** sudo or su use: who became whom, and what they ran. */
export interface PrivilegeUse {
  time: string;
  tool: 'sudo' | 'su';
  user: string;
  asUser: string;
  command: string | null;
  tty: string | null;
  success: boolean;
  /** Why it failed ("3 incorrect password attempts", "user NOT in sudoers"), when it did. */
  failure: string | null;
}

export interface LoginSummary {
  /** The file or journal read, or null when there was none. */
  source: string | null;
  windowStart: string;
  windowEnd: string;
  /** Successful SSH logins. A user is empty only when an old PAM-only log does not name one. */
  accepted: AcceptedLogin[];
  /** Failed authentication attempts ("Failed ..." lines; PAM failures where sshd logged none). */
  failed: FailedLogin[];
  signals: AuthSignal[];
  privilege: PrivilegeUse[];
}

export type KernelEventKind = 'oom-kill' | 'io-error' | 'fs-error' | 'segfault' | 'hung-task' | 'hardware';

/** Kernel trouble in the window, from the journal or dmesg. */
export interface KernelEvents {
  source: 'journal' | 'dmesg';
  counts: Partial<Record<KernelEventKind, number>>;
  /** Up to three per kind: when, about what (a process, a device), the message. */
  examples: { kind: KernelEventKind; time: string; subject: string; message: string }[];
}

/** Pending package updates and whether the host waits for a reboot. */
export interface UpdatesInfo {
  manager: 'apt' | 'dnf' | 'yum' | null;
  /** Null when the package manager could not be asked. */
  pending: number | null;
  security: number | null;
  /** The pending security updates by name (at most 50). */
  securityPackages: string[];
  /** Null where the system has no way to say (no /var/run/reboot-required, no needs-restarting). */
  rebootRequired: boolean | null;
  rebootPackages: string[];
  /** The package state the result was computed for (lists and database mtimes); equal: not simulated again. */
  stamp: string | null;
  /**
   * How this collection got the answer: `simulated` (apt/dnf/yum, under nice and idle I/O),
   * `precomputed` (Ubuntu's update-notifier file, newer than the lists and the database),
   * `unchanged` (the package state is the one of the remembered answer), `deferred` (it changed,
   * but the host was checked less than a day ago: the remembered answer, checked again tomorrow).
   */
  answer?: 'simulated' | 'precomputed' | 'unchanged' | 'deferred';
  /** ISO 8601 instant the answer was computed on the host (its simulation or its file). */
  checkedAt?: string | null;
  /** Host CPU the check cost in this collection, in ms (0 when it did not run). */
  checkCpuMs?: number | null;
}

/** Whether the host's clock is kept in time. */
export interface ClockSync {
  tool: 'timedatectl' | 'chronyc' | 'ntpq' | null;
  synchronized: boolean | null;
  /** The time service is on (NTP=yes, chronyd running). */
  serviceActive: boolean | null;
  /** Offset from the reference in seconds, where the tool says. */
  offsetSeconds: number | null;
}

/** A watched certificate: a file on the host or a TLS port of the host. */
export interface CertificateStatus {
  /** "/etc/ssl/certs/site.pem" or "tls:443" (with the server name when one was given). */
  target: string;
  subject: string | null;
  issuer: string | null;
  /** ISO 8601 end of validity; null when the certificate could not be read. */
  notAfter: string | null;
  /** Why it could not be read. */
  error: string | null;
}

export interface CollectionProblem {
  /** Which part of the collection: "disk", "logins", ... */
  probe: string;
  message: string;
  /** What a collection without root cannot do (other users' processes): said once for the fleet. */
  expectedWithoutRoot?: boolean;
}

/** A host that could not be collected, with a reason a sysadmin can act on. */
export interface HostFailure {
  host: string;
  address: string;
  groups: string[];
  reason: string;
}
