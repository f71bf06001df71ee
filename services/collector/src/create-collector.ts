import { Gauge } from 'prom-client';
import {
  serviceOf,
  shutdownDeadlineMs,
  type Service,
  type ServiceSetup,
  createInfluxStore,
  createJobMetrics,
  createQueuedAlertPublisher,
  createRedisAlertStateStore,
  createRedisHostStatusStore,
  createSshMetrics,
  instrumentInfluxWrites,
  queueNames,
  registerPipelineStatusMetrics,
  createRedisPointBuffer,
  ensureInfluxV1Database,
  withPointBuffer,
  workerHealth,
} from '@infra-report/shared';
import { startCollectWorker } from './collect-worker.js';
import { createRedisAuthLogStateStore } from './auth-log-state.js';
import { createRedisHostStateStore, readUpdatesState } from './host-state.js';
import { readWindowsState } from './windows/windows-snapshot.js';
import { createRunnerFactory } from './open-runner.js';
import { trackHostOutcomes } from './host-outcomes.js';
import { startSampling } from './sampling/start-sampling.js';

/** The collector service: start() wires it and starts its workers; close() stops them in order. */
export function createCollector(setup: ServiceSetup): Service {
  const { logger, config, connection, metrics } = setup;
  return serviceOf(setup, shutdownDeadlineMs.collector, async () => {
    const { registry, serve: serveMetrics } = metrics(config.metrics.collector_port);
    const pipelineStatus = registerPipelineStatusMetrics(registry, connection, config.redis.prefix);
    // Points InfluxDB does not take wait in Redis (bounded) and go out when it is back.
    const pointBuffer = config.influx
      ? createRedisPointBuffer(connection, config.redis.prefix, config.influx.buffer_max_batches)
      : undefined;
    const influx =
      config.influx && pointBuffer
        ? withPointBuffer(instrumentInfluxWrites(createInfluxStore(config.influx), registry), pointBuffer, logger)
        : undefined;
    const flushTimer = setInterval(() => {
      influx?.flushBuffer().catch(() => undefined); // still down: the next round tries again
    }, 30_000);
    flushTimer.unref();
    new Gauge({
      name: 'infra_report_influx_buffered_batches',
      help: 'Host collections whose points wait for InfluxDB (it refused or did not answer)',
      registers: [registry],
      async collect() {
        this.set((await pointBuffer?.size()) ?? 0);
      },
    });
    new Gauge({
      name: 'infra_report_influx_dropped_points',
      help: 'Points dropped because the buffer for InfluxDB was full (influx.buffer_max_batches)',
      registers: [registry],
      async collect() {
        this.set((await pointBuffer?.dropped()) ?? 0);
      },
    });
    if (config.influx?.api === 'v1') {
      // InfluxDB 1.x: CREATE DATABASE is idempotent; without the right to do it, writes will say why.
      await ensureInfluxV1Database(config.influx).catch((error: Error) =>
        logger.warn({ err: error }, 'cannot create the InfluxDB database'),
      );
    }
    const openRunner = createRunnerFactory(config.home, { timings: createSshMetrics(registry) });
    // Alerts are evaluated here (collections and samples) and delivered by the mailer (notify queue):
    // a collection's alerts travel with its snapshot, the renderer hands a run's to the queue at once.
    const alertState = createRedisAlertStateStore(connection, config.redis.prefix);
    const alertPublisher = createQueuedAlertPublisher(connection, config.redis.prefix);
    const worker = startCollectWorker(
      config,
      {
        openRunner,
        alerts: { state: alertState, thresholds: config.report.thresholds, policy: config.alerts },
        influx,
        now: () => new Date(),
        logger,
        authLogState: createRedisAuthLogStateStore(connection, config.redis.prefix),
        packageState: createRedisHostStateStore(connection, config.redis.prefix, 'packages', readUpdatesState),
        windowsState: createRedisHostStateStore(connection, config.redis.prefix, 'windows-events', readWindowsState),
      },
      connection,
    );
    createJobMetrics(registry).instrument(worker, queueNames.collect);
    trackHostOutcomes(worker, {
      hostStatus: createRedisHostStatusStore(connection, config.redis.prefix),
      redis: connection,
      prefix: config.redis.prefix,
      logger,
      now: () => new Date(),
    });
    worker.on('failed', (job, error) => logger.warn({ job: job?.id, reason: error.message }, 'collect job failed'));
    worker.on('active', (job) => logger.info({ job: job.id }, 'collect job started'));
    worker.on('completed', (job) => logger.info({ job: job.id }, 'collect job completed'));
    worker.on('stalled', (jobId) =>
      logger.warn({ job: jobId }, 'collect job stalled (its worker died): back in the queue'),
    );
    worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
    const sampling = config.sample.enabled
      ? startSampling({
          config,
          connection,
          logger,
          registry,
          openRunner,
          influx,
          alertState,
          publish: alertPublisher.publish,
        })
      : undefined;
    const metricsServer = await serveMetrics(workerHealth([worker], connection));
    logger.info({ hosts: config.hosts.length, concurrency: config.collector.concurrency }, 'collector started');

    return [
      { name: 'sampling', run: () => sampling?.stop() },
      // close() waits for jobs in progress to finish; nothing new is taken meanwhile.
      { name: 'collect worker', run: () => worker.close() },
      { name: 'alert publisher', run: () => alertPublisher.close() },
      { name: 'influx', run: () => (clearInterval(flushTimer), influx?.close()) },
      { name: 'pipeline status', run: () => pipelineStatus.close() },
      { name: 'metrics server', run: () => metricsServer.close() },
    ];
  });
}
