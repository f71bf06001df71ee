import type { Config, ResolvedHost } from './config/load.js';
import type { HostFailure, HostSnapshot } from './snapshot.js';
import { InvalidRequestError } from './errors.js';
import { wallDate } from './wall-clock.js';

export const queueNames = {
  collect: 'collect',
  /** Alerts and recoveries on their way to email and webhooks (processed by the mailer). */
  notify: 'notify',
  render: 'render',
  deliver: 'deliver',
  /** Run deadlines and scheduled triggers (processed by the renderer service). */
  control: 'control',
} as const;

/** A control job: make a run render with what it has, or start the scheduled run. */
export type ControlJobData =
  | { kind: 'run-deadline'; runId: string; deadline: string }
  | { kind: 'scheduled-trigger'; groups?: string[] | undefined; hosts?: string[] | undefined };

/** When a run must render with what it has: its trigger time (window end) plus the run deadline. */
export function runDeadline(run: RunSpec, deadlineMinutes: number): Date {
  return new Date(Date.parse(run.windowEnd) + deadlineMinutes * 60_000);
}

/** Redis hash of the hosts a run's deadline gave up on, with the reason. */
export function deadlineReasonsKey(prefix: string, runId: string): string {
  return `${prefix}:run-deadline:${runId}`;
}

/** A run's identity and time window; the same for every job of the run. */
export interface RunSpec {
  /** `<report date>_<scope>`: the BullMQ job id, so a second trigger of the same run is a no-op. */
  runId: string;
  /** YYYY-MM-DD in the report's time zone. */
  reportDate: string;
  /** "all", or the host groups / names the run was limited to. */
  scope: string;
  windowStart: string;
  windowEnd: string;
  timezone: string;
}

export interface CollectJobData {
  run: RunSpec;
  /** The collector resolves SSH settings from its own configuration: no secret travels in Redis. */
  hostName: string;
}

export interface RunHost {
  name: string;
  address: string;
  groups: string[];
  collectJobId: string;
}

export interface RenderJobData {
  run: RunSpec;
  hosts: RunHost[];
}

export interface RenderedArtifact {
  fileName: string;
  contentType: string;
  bytes: number;
  /** Key in the artifact store. */
  key: string;
}

/** One finding across hosts, as the email and the CLI show it. */
export interface SummaryRollup {
  severity: 'critical' | 'warning';
  title: string;
  hosts: number;
  examples: string;
}

/** What the email and the CLI say of a rendered run: the same counts as the PDF and the XLSX. */
export interface RunSummary {
  hostsTotal: number;
  hostsReporting: number;
  hostsUnreachable: number;
  /** The first 50 attention items (every one is in the XLSX); `critical` and `warnings` count all. */
  attention: { severity: 'critical' | 'warning'; host: string; message: string }[];
  /** Attention items by severity (absent in results of older renderers). */
  critical?: number;
  warnings?: number;
  rebooted?: number;
  /** The report's time zone, for the email's times. */
  timezone?: string;
  /** Findings rolled up across hosts, ranked; at most `rollupsShown`, `rollupsTotal` in all. */
  rollups?: SummaryRollup[];
  rollupsTotal?: number;
}

export interface RenderResult {
  run: RunSpec;
  artifacts: RenderedArtifact[];
  summary: RunSummary;
  /** Each group with a team of its own: the report of its hosts (absent: none). */
  groupReports?: GroupReport[];
}

export interface GroupReport {
  group: string;
  artifacts: RenderedArtifact[];
  summary: RunSummary;
}

/** Groups that get their own report: their recipients, or a webhook limited to them. */
export function groupsWithOwnReport(config: Config): string[] {
  const groups = new Set<string>();
  for (const [name, group] of Object.entries(config.groups)) if (group.recipients.length > 0) groups.add(name);
  for (const hook of config.notify.webhooks)
    if (hook.events.includes('daily')) for (const g of hook.groups ?? []) groups.add(g);
  return [...groups].sort();
}

export interface DeliverJobData {
  run: RunSpec;
}

export interface DeliverResult {
  runId: string;
  deliveredAt: string;
  messageId: string | null;
  /** Where the message went: SMTP recipients, or the .eml path when SMTP is not configured. */
  destination: string;
  /** The other channels (group:NAME, webhook:N, archive) and what each did. */
  channels?: Record<string, string>;
}

/** The outcome of collecting every host of a run: input of the renderer. */
export interface CollectedRun {
  run: RunSpec;
  snapshots: HostSnapshot[];
  failures: HostFailure[];
}

export interface RunScope {
  /** Limit to these host groups. */
  groups?: string[] | undefined;
  /** Limit to these host names. */
  hosts?: string[] | undefined;
}

/** Chooses the hosts of a run; unknown names are an error, not a silently smaller report. */
export function selectHosts(config: Config, scope: RunScope): ResolvedHost[] {
  const unknownHosts = (scope.hosts ?? []).filter((name) => !config.hosts.some((h) => h.name === name));
  if (unknownHosts.length > 0)
    throw new InvalidRequestError(`unknown host${unknownHosts.length > 1 ? 's' : ''}: ${unknownHosts.join(', ')}`);
  const knownGroups = new Set(config.hosts.flatMap((h) => h.groups));
  const unknownGroups = (scope.groups ?? []).filter((g) => !knownGroups.has(g));
  if (unknownGroups.length > 0)
    throw new InvalidRequestError(
      `no host is in group${unknownGroups.length > 1 ? 's' : ''}: ${unknownGroups.join(', ')}`,
    );
  return config.hosts.filter(
    (host) =>
      (!scope.hosts?.length || scope.hosts.includes(host.name)) &&
      (!scope.groups?.length || host.groups.some((g) => scope.groups?.includes(g))),
  );
}

/** The date a run reports on, in the report's time zone. */
export function reportDateFor(instant: Date, timezone: string): string {
  return wallDate(instant, timezone);
}

export function describeScope(scope: RunScope): string {
  const pieces = [
    ...(scope.groups ?? []).map((g) => `group-${g}`),
    ...(scope.hosts ?? []).map((h) => `host-${h}`),
  ].sort();
  if (pieces.length === 0) return 'all';
  const joined = pieces.join('+').replace(/[^A-Za-z0-9._+-]/g, '-');
  return joined.length <= 120 ? joined : `${joined.slice(0, 100)}-${pieces.length}`;
}

/** Plans a run: id, window, and the hosts it covers. */
export function planRun(
  config: Config,
  scope: RunScope,
  now: Date,
  reportDate?: string,
): { spec: RunSpec; hosts: ResolvedHost[] } {
  const hosts = selectHosts(config, scope);
  const date = reportDate ?? reportDateFor(now, config.report.timezone);
  if (!isCalendarDate(date)) throw new InvalidRequestError(`report date must be a real YYYY-MM-DD date, got "${date}"`);
  const scopeName = describeScope(scope);
  const windowEnd = now;
  const windowStart = new Date(now.getTime() - config.report.window_hours * 3600_000);
  return {
    spec: {
      runId: `${date}_${scopeName}`,
      reportDate: date,
      scope: scopeName,
      windowStart: windowStart.toISOString(),
      windowEnd: windowEnd.toISOString(),
      timezone: config.report.timezone,
    },
    hosts,
  };
}

/** BullMQ forbids ":" in custom job ids; host names never contain one (schema) but run ids are built from user input. */
export function collectJobId(runId: string, hostName: string): string {
  return `${runId}__${hostName}`;
}

/** YYYY-MM-DD naming a day that exists: 2026-02-30 is refused, not rolled over to March 2nd. */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}
