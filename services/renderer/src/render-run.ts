import {
  artifactKey,
  type AlertEvent,
  type AlertStateStore,
  type Silence,
  type ArtifactStore,
  printable,
  type CollectedRun,
  type Config,
  type GroupReport,
  type InfluxStore,
  type Logger,
  type RenderResult,
  type RenderedArtifact,
  type RunSummary,
} from '@infra-report/shared';
import { loadReportHistory } from './history.js';
import { renderPdf } from './pdf/render-pdf.js';
import { buildReportModel } from './report-model.js';
import { renderXlsx } from './xlsx/render-xlsx.js';

export interface RenderDependencies {
  artifacts: ArtifactStore;
  report: Config['report'];
  now(): Date;
  logger: Logger;
  /** History for forecasts, comparisons with the last run and first-seen addresses; optional. */
  influx?: InfluxStore | undefined;
  /** Groups that get a report of their own hosts (their team has recipients or a webhook). */
  groupReports?: string[] | undefined;
  /** Store the run's warnings and errors as a text file (notify.attach_run_log). */
  runLog?: boolean | undefined;
  /** Immediate alerts: the run's collection alerts handed on together; the window's history for the report. */
  alerts?: RunAlerts | undefined;
}

export interface RunAlerts {
  /** The run's collection alerts, all at once (one notification per recipient set). */
  publish?(events: AlertEvent[]): Promise<void>;
  state: Pick<AlertStateStore, 'history' | 'silences'>;
}

/** infrastructure-report-YYYY-MM-DD[.scope].pdf: a limited run never overwrites the full one. */
export function reportFileBaseName(run: CollectedRun['run']): string {
  return `infrastructure-report-${run.reportDate}${run.scope === 'all' ? '' : `.${run.scope}`}`;
}

/** Findings the email lists; the rest are counted ("and N more") and in the attachments. */
const emailRollups = 30;

/**
 * The render job: one report model, two renderings of it, both stored as artifacts; the same
 * for each group with its own team (their hosts only); and the run's log when asked for.
 */
export async function renderRun(collected: CollectedRun, deps: RenderDependencies): Promise<RenderResult> {
  const events = collected.snapshots.flatMap((s) => s.alerts ?? []);
  if (events.length > 0 && deps.alerts?.publish)
    await deps.alerts
      .publish(events)
      .catch((error: Error) =>
        deps.logger.error({ err: error, alerts: events.length }, 'cannot hand the run’s alerts on'),
      );
  const base = reportFileBaseName(collected.run);
  // Read once for the whole report and every group's: each keeps its own hosts' alerts.
  const alerts = await alertHistory(collected, deps);
  const whole = await renderReport(collected, base, deps, alerts);
  const groupReports: GroupReport[] = [];
  for (const group of deps.groupReports ?? []) {
    const inGroup = <T extends { groups: string[] }>(items: T[]) => items.filter((i) => i.groups.includes(group));
    const subset = { ...collected, snapshots: inGroup(collected.snapshots), failures: inGroup(collected.failures) };
    if (subset.snapshots.length + subset.failures.length === 0) continue;
    const rendered = await renderReport(
      subset,
      `${base}.group-${group.replace(/[^A-Za-z0-9._-]/g, '_')}`,
      deps,
      alerts,
    );
    groupReports.push({ group, ...rendered });
  }
  const artifacts = [...whole.artifacts];
  if (deps.runLog) {
    const log = Buffer.from(runLog(collected));
    const fileName = `${base}.log.txt`;
    const key = artifactKey(collected.run.runId, fileName);
    await deps.artifacts.put(key, log);
    artifacts.push({ fileName, contentType: 'text/plain; charset=utf-8', bytes: log.length, key });
  }
  return { run: collected.run, artifacts, summary: whole.summary, ...(groupReports.length ? { groupReports } : {}) };
}

type AlertHistory = { events: AlertEvent[]; silences: Silence[] };

/** Alerts of the report window (to now: this run's own are in); none when unreadable. */
async function alertHistory(collected: CollectedRun, deps: RenderDependencies): Promise<AlertHistory> {
  if (!deps.alerts) return { events: [], silences: [] };
  try {
    const events = await deps.alerts.state.history(new Date(collected.run.windowStart), deps.now());
    return { events, silences: await deps.alerts.state.silences() };
  } catch (error) {
    deps.logger.warn({ err: error }, 'cannot read the alert history: the report lists no immediate alerts');
    return { events: [], silences: [] };
  }
}

/** The run's warnings and errors only: hosts that failed, and each gap in a collection. */
export function runLog(collected: CollectedRun): string {
  const lines = [`infra-report run ${collected.run.runId}: warnings and errors`, ''];
  for (const failure of collected.failures)
    lines.push(`ERROR ${printable(failure.host, 200)}: not collected: ${printable(failure.reason, 2000)}`);
  for (const snapshot of collected.snapshots)
    for (const problem of snapshot.problems)
      lines.push(`WARN  ${printable(snapshot.host, 200)}: ${problem.probe}: ${printable(problem.message, 2000)}`);
  if (lines.length === 2) lines.push('none: every host reported, with no gap.');
  return `${lines.join('\n')}\n`;
}

async function renderReport(
  collected: CollectedRun,
  base: string,
  deps: RenderDependencies,
  alerts: AlertHistory,
): Promise<{ artifacts: RenderedArtifact[]; summary: RunSummary }> {
  const history = await loadReportHistory(deps.influx, collected, deps.logger);
  // The alerts of this report's hosts only.
  const hosts = new Set([...collected.snapshots.map((s) => s.host), ...collected.failures.map((f) => f.host)]);
  const ownAlerts = { ...alerts, events: alerts.events.filter((e) => hosts.has(e.host)) };
  const model = buildReportModel(collected, deps.report, deps.now(), history, ownAlerts);
  // One after the other: both are CPU-bound on this thread anyway, and their peaks do not add up.
  const pdf = await renderPdf(model);
  const xlsx = await renderXlsx(model);
  const files: [string, string, Buffer][] = [
    [`${base}.pdf`, 'application/pdf', pdf],
    [`${base}.xlsx`, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', xlsx],
  ];
  const artifacts: RenderedArtifact[] = [];
  for (const [fileName, contentType, data] of files) {
    const key = artifactKey(collected.run.runId, fileName);
    await deps.artifacts.put(key, data);
    artifacts.push({ fileName, contentType, bytes: data.length, key });
    deps.logger.info(
      { run: collected.run.runId, file: deps.artifacts.describe(key), bytes: data.length },
      'report file stored',
    );
  }
  return {
    artifacts,
    summary: {
      hostsTotal: model.summary.hostsTotal,
      hostsReporting: model.summary.hostsReporting,
      hostsUnreachable: model.summary.hostsUnreachable,
      attention: model.attention.slice(0, 50).map((a) => ({ severity: a.severity, host: a.host, message: a.message })),
      critical: model.summary.critical,
      warnings: model.summary.warning,
      rebooted: model.summary.rebooted,
      timezone: model.timezone,
      rollups: model.rollups.slice(0, emailRollups).map((r) => ({
        severity: r.severity,
        title: r.title,
        hosts: r.hosts.length,
        examples: r.examples,
      })),
      rollupsTotal: model.rollups.length,
    },
  };
}
