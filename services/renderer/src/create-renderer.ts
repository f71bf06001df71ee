import { Queue } from 'bullmq';
import { Counter, Gauge } from 'prom-client';
import {
  serviceOf,
  shutdownDeadlineMs,
  type Service,
  type ServiceSetup,
  createArtifactStore,
  createInfluxStore,
  createQueuedAlertPublisher,
  createRedisAlertStateStore,
  createJobMetrics,
  groupsWithOwnReport,
  recordRendered,
  registerPipelineStatusMetrics,
  queueNames,
  runDeadline,
  workerHealth,
  syncSchedule,
  type RenderJobData,
} from '@infra-report/shared';
import { startControlWorker } from './control-worker.js';
import { startRenderWorker } from './render-worker.js';

/** The renderer service: start() wires it and starts it; close() stops it in order. */
export function createRenderer(setup: ServiceSetup): Service {
  const { logger, config, connection, metrics } = setup;
  return serviceOf(setup, shutdownDeadlineMs.renderer, async () => {
    const prefix = config.redis.prefix;
    const { registry, serve: serveMetrics } = metrics(config.metrics.renderer_port);
    const pipelineStatus = registerPipelineStatusMetrics(registry, connection, prefix);
    const jobMetrics = createJobMetrics(registry);
    const givenUp = new Counter({
      name: 'infra_report_run_deadline_hosts_total',
      help: 'Hosts a run rendered without because their collection had not finished by the run deadline',
      registers: [registry],
    });
    const renderQueue = new Queue<RenderJobData>(queueNames.render, { connection, prefix });
    new Gauge({
      name: 'infra_report_runs_overdue',
      help: 'Runs still waiting for their collect jobs past their deadline (the deadline job or the renderer is not running)',
      registers: [registry],
      async collect() {
        const waiting = await renderQueue.getJobs(['waiting-children'], 0, 1000);
        const now = Date.now();
        this.set(
          waiting.filter((job) => runDeadline(job.data.run, config.pipeline.run_deadline_minutes).getTime() < now)
            .length,
        );
      },
    });

    const artifacts = createArtifactStore(config, connection);
    const influx = config.influx ? createInfluxStore(config.influx) : undefined;
    // A run's collection alerts go to the notify queue together when it renders (one notification).
    const alertPublisher = createQueuedAlertPublisher(connection, prefix);
    const worker = startRenderWorker(
      {
        alerts: { publish: alertPublisher.publish, state: createRedisAlertStateStore(connection, prefix) },
        artifacts,
        report: config.report,
        now: () => new Date(),
        logger,
        influx,
        groupReports: groupsWithOwnReport(config),
        runLog: config.notify.attachRunLog,
      },
      connection,
      prefix,
    );
    jobMetrics.instrument(worker, queueNames.render);
    worker.on('completed', (_job, result) => {
      recordRendered(connection, prefix, result, new Date()).catch((error: Error) =>
        logger.warn({ err: error }, 'cannot record the render for the metrics'),
      );
    });
    worker.on('failed', (job, error) => logger.error({ job: job?.id, err: error }, 'render job failed'));
    worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
    const control = startControlWorker(
      { config, redis: connection, prefix, logger, onDeadline: (n) => givenUp.inc(n) },
      connection,
    );
    jobMetrics.instrument(control, queueNames.control);
    control.on('failed', (job, error) => logger.error({ job: job?.id, err: error }, 'control job failed'));
    control.on('error', (error) => logger.error({ err: error }, 'worker error'));
    const schedule = await syncSchedule(config, connection);
    const metricsServer = await serveMetrics(workerHealth([worker, control], connection));
    logger.info(
      {
        schedule: schedule === 'set' ? config.schedule : null,
        runDeadlineMinutes: config.pipeline.run_deadline_minutes,
      },
      'renderer started',
    );

    return [
      // close() waits for the job in progress to finish; nothing new is taken meanwhile.
      { name: 'workers', run: () => Promise.all([worker.close(), control.close()]) },
      { name: 'render queue', run: () => renderQueue.close() },
      { name: 'alert publisher', run: () => alertPublisher.close() },
      { name: 'pipeline status', run: () => pipelineStatus.close() },
      { name: 'influx', run: () => influx?.close() },
      { name: 'metrics server', run: () => metricsServer.close() },
    ];
  });
}
