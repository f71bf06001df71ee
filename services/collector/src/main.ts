import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Counter, Gauge } from 'prom-client';
import {
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
  onShutdownSignal,
  setUpService,
  workerHealth,
} from '@infra-report/shared';
import { startCollectWorker } from './collect-worker.js';
import { createRedisAuthLogStateStore } from './auth-log-state.js';
import { createRedisHostStateStore, readUpdatesState } from './host-state.js';
import { createRunnerFactory } from './open-runner.js';
import { trackHostOutcomes } from './host-outcomes.js';
import { createHostShare } from './sampling/host-share.js';
import { Sampler } from './sampling/sampler.js';
import { SessionPool } from './sampling/session-pool.js';

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
const sampling = config.sample.enabled ? startSampling() : undefined;
const metricsServer = await serveMetrics(workerHealth([worker], connection));
logger.info({ hosts: config.hosts.length, concurrency: config.collector.concurrency }, 'collector started');

/** Live sampling of this collector's share of the hosts, over connections kept open. */
function startSampling() {
  const sampleRounds = new Counter({
    name: 'infra_report_sample_rounds_total',
    help: 'Sampling rounds of one host, by outcome (ok, failed)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const sampleCpu = new Counter({
    name: 'infra_report_sample_cpu_seconds_total',
    help: "This collector's CPU time spent sampling (divide by rounds: CPU per host per round)",
    registers: [registry],
  });
  const pool = new SessionPool({
    open: async (host) => (await openRunner(host)).runner,
    maxConnections: config.sample.max_connections,
    idleTimeoutMs: config.sample.idle_timeout_seconds * 1000,
  });
  new Gauge({
    name: 'infra_report_sample_connections',
    help: 'SSH connections this collector keeps open for sampling',
    registers: [registry],
    collect() {
      this.set(pool.size);
    },
  });
  const longest = Math.max(...config.hosts.map((h) => h.sampleIntervalSeconds), config.sample.interval_seconds);
  const share = createHostShare(
    connection,
    config.redis.prefix,
    `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    config.hosts.filter((h) => !h.local),
    Math.max(30_000, longest * 3000),
  );
  const sampler = new Sampler({
    config,
    pool,
    influx,
    alertState,
    publish: alertPublisher.publish,
    now: () => new Date(),
    logger,
    hosts: share.hosts,
    observe: (outcome, cpuSeconds) => {
      sampleRounds.inc({ outcome });
      sampleCpu.inc(cpuSeconds);
    },
  });
  const running = sampler.run().catch((error: Error) => logger.error({ err: error }, 'sampling stopped'));
  logger.info({ interval: config.sample.interval_seconds }, 'sampling started');
  return {
    async stop() {
      sampler.stop();
      await running;
      await pool.closeAll();
      await share.release().catch(() => undefined);
    },
  };
}

onShutdownSignal(logger, async () => {
  await sampling?.stop();
  // close() waits for jobs in progress to finish; nothing new is taken meanwhile.
  await worker.close();
  await alertPublisher.close();
  clearInterval(flushTimer);
  await influx?.close();
  await pipelineStatus.close();
  metricsServer.close();
  await connection.quit();
});
