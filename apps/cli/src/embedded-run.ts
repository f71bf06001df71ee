import pLimit from 'p-limit';
import {
  compactLogins,
  createFilesystemArtifactStore,
  planRun,
  InvalidRequestError,
  createFileAlertStateStore,
  groupsWithOwnReport,
  type Config,
  type DeliverResult,
  type HostFailure,
  type HostSnapshot,
  type Logger,
  type RenderResult,
  type RunScope,
} from '@infra-report/shared';
import {
  collectHost,
  CollectionError,
  createFileAuthLogStateStore,
  createFileHostStateStore,
  createRunnerFactory,
  readUpdatesState,
  readWindowsState,
} from '@infra-report/collector';
import { createMailDestination, deliverRun, deliveryChannels } from '@infra-report/mailer';
import { localAlertDispatcher } from './local-alerts.js';
import { localInflux } from './local-influx.js';

export interface EmbeddedRunResult {
  rendered: RenderResult;
  delivered: DeliverResult;
  snapshots: HostSnapshot[];
  failures: HostFailure[];
  reportFiles: string[];
  /** The collection phase alone: wall seconds and this process's CPU (startup and render excluded). */
  collection: { seconds: number; cpuMs: number };
}

export interface EmbeddedRunOptions {
  scope: RunScope;
  reportDate?: string | undefined;
  logger: Logger;
  now?: () => Date;
  /** Called as each host finishes, for progress output. */
  onHost?: (host: string, outcome: { ok: true; problems: number } | { ok: false; reason: string }) => void;
}

/**
 * The one-process mode: the same collect, render and deliver handlers the services run, called
 * directly: hosts in parallel, files to report.output_dir, mail over SMTP or to the outbox.
 */
export async function runEmbedded(config: Config, options: EmbeddedRunOptions): Promise<EmbeddedRunResult> {
  const now = options.now ?? (() => new Date());
  const { logger } = options;
  const { spec, hosts } = planRun(config, options.scope, now(), options.reportDate);
  if (hosts.length === 0) throw new InvalidRequestError('the run has no hosts');
  // The renderer (PDF and XLSX libraries, fonts) loads while the hosts are collected, not before.
  const renderer = import('@infra-report/renderer');
  renderer.catch(() => undefined); // awaited below; a failure to load is reported there
  // Points InfluxDB does not take wait in report.state_dir (bounded) and go out with the next run's.
  const influx = await localInflux(config, logger);
  const openRunner = createRunnerFactory(config.home, { sessions: config.collector.concurrency });
  const authLogState = createFileAuthLogStateStore(config.report.state_dir);
  const packageState = createFileHostStateStore(config.report.state_dir, 'packages', readUpdatesState);
  const windowsState = createFileHostStateStore(config.report.state_dir, 'windows-events', readWindowsState);
  const limit = pLimit(Math.max(config.collector.concurrency, config.collector.pending_connections));
  const snapshots: HostSnapshot[] = [];
  const failures: HostFailure[] = [];
  const destination = createMailDestination(config);
  // Immediate alerts of this run's collections: state in report.state_dir, sent from here once
  // every host is done, one notification per recipient set.
  const alertState = createFileAlertStateStore(config.report.state_dir);
  const alerts = { state: alertState, thresholds: config.report.thresholds, policy: config.alerts };
  const dispatcher = localAlertDispatcher(config, destination, alertState, logger, now);
  const collectionStarted = { wall: performance.now(), cpu: process.cpuUsage() };

  try {
    await Promise.all(
      hosts.map((host) =>
        limit(async () => {
          // One attempt: a refused or dropped connection already had its quick second try within
          // the connect deadline; minutes of backoff would hold the whole report back.
          try {
            const snapshot = await collectHost(host, spec, {
              openRunner,
              influx,
              now,
              logger,
              authLogState,
              packageState,
              windowsState,
              bruteForceAttempts: config.report.thresholds.brute_force_attempts,
              alerts,
            });
            // As the services do: every attempt is in InfluxDB, the report needs them per source.
            snapshots.push(compactLogins(snapshot));
            options.onHost?.(host.name, { ok: true, problems: snapshot.problems.length });
          } catch (error) {
            const reason = error instanceof CollectionError ? error.reason : (error as Error).message;
            failures.push({ host: host.name, address: host.address, groups: host.groups, reason });
            options.onHost?.(host.name, { ok: false, reason });
          }
        }),
      ),
    );
  } catch (error) {
    await influx?.close();
    throw error;
  }

  const cpu = process.cpuUsage(collectionStarted.cpu);
  const collection = {
    seconds: (performance.now() - collectionStarted.wall) / 1000,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  await dispatcher.publish(snapshots.flatMap((s) => s.alerts ?? []));
  await dispatcher.afterSilences();
  await dispatcher.flushAll();
  // A daily run posts again tomorrow: what fires stays firing in Alertmanager until a bit past then.
  await dispatcher.refresh((config.report.window_hours + 1) * 3600_000);
  const artifacts = createFilesystemArtifactStore(config.report.output_dir);
  const { renderRun } = await renderer;
  const rendered = await renderRun(
    { run: spec, snapshots, failures },
    {
      artifacts,
      report: config.report,
      now,
      logger,
      influx,
      groupReports: groupsWithOwnReport(config),
      runLog: config.notify.attachRunLog,
      alerts: { state: alertState },
    },
  ).finally(() => influx?.close());
  try {
    const delivered = await deliverRun(rendered, {
      artifacts,
      destination,
      report: config.report,
      ledger: undefined,
      now,
      logger,
      channels: deliveryChannels(config),
    });
    return {
      rendered,
      delivered,
      snapshots,
      failures,
      reportFiles: rendered.artifacts.map((a) => artifacts.describe(a.key)),
      collection,
    };
  } finally {
    destination.transport.close();
  }
}
