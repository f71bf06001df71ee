import { homedir } from 'node:os';
import { Gauge } from 'prom-client';
import {
  createInfluxStore,
  createJobMetrics,
  createRedisHostStatusStore,
  createSshMetrics,
  instrumentInfluxWrites,
  queueNames,
  registerPipelineStatusMetrics,
  createRedisPointBuffer,
  ensureInfluxV1Database,
  withPointBuffer,
  onShutdownSignal,
  setUpService,
  workerHealth,
} from '@infra-report/shared';
import { startCollectWorker } from './collect-worker.js';
import { createRedisAuthLogStateStore } from './auth-log-state.js';
import { createRedisHostStateStore, readUpdatesState } from './host-state.js';
import { createRunnerFactory } from './open-runner.js';
import { trackHostOutcomes } from './host-outcomes.js';

const { logger, config, connection, metrics } = setUpService('collector', process.argv, process.env);
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
const worker = startCollectWorker(
  config,
  {
    openRunner: createRunnerFactory(process.env['HOME'] ?? homedir(), { timings: createSshMetrics(registry) }),
    influx,
    now: () => new Date(),
    logger,
    authLogState: createRedisAuthLogStateStore(connection, config.redis.prefix),
    packageState: createRedisHostStateStore(connection, config.redis.prefix, 'packages', readUpdatesState),
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
worker.on('completed', (job) => logger.info({ job: job.id }, 'collect job completed'));
worker.on('stalled', (jobId) =>
  logger.warn({ job: jobId }, 'collect job stalled (its worker died): back in the queue'),
);
worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
const metricsServer = await serveMetrics(workerHealth([worker], connection));
logger.info({ hosts: config.hosts.length, concurrency: config.collector.concurrency }, 'collector started');

onShutdownSignal(logger, async () => {
  // close() waits for jobs in progress to finish; nothing new is taken meanwhile.
  await worker.close();
  clearInterval(flushTimer);
  await influx?.close();
  await pipelineStatus.close();
  metricsServer.close();
  await connection.quit();
});
