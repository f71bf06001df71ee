import {
  artifactKey,
  type ArtifactStore,
  type CollectedRun,
  type Config,
  type InfluxStore,
  type Logger,
  type RenderResult,
  type RenderedArtifact,
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
}

/** infrastructure-report-YYYY-MM-DD[.scope].pdf: a limited run never overwrites the full one. */
export function reportFileBaseName(run: CollectedRun['run']): string {
  return `infrastructure-report-${run.reportDate}${run.scope === 'all' ? '' : `.${run.scope}`}`;
}

/** Findings the email lists; the rest are counted ("and N more") and in the attachments. */
const emailRollups = 30;

/** The render job: one report model, two renderings of it, both stored as artifacts. */
export async function renderRun(collected: CollectedRun, deps: RenderDependencies): Promise<RenderResult> {
  const history = await loadReportHistory(deps.influx, collected, deps.logger);
  const model = buildReportModel(collected, deps.report, deps.now(), history);
  // One after the other: both are CPU-bound on this thread anyway, and their peaks do not add up.
  const pdf = await renderPdf(model);
  const xlsx = await renderXlsx(model);
  const base = reportFileBaseName(collected.run);
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
    run: collected.run,
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
