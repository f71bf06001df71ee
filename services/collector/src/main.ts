import { homedir } from 'node:os';
import { createInfluxStore, ensureInfluxV1Database, onShutdownSignal, setUpService } from '@infra-report/shared';
import { startCollectWorker } from './collect-worker.js';
import { createRedisAuthLogStateStore } from './auth-log-state.js';
import { createRunnerFactory } from './open-runner.js';

const { logger, config, connection } = setUpService('collector', process.argv, process.env);
const influx = config.influx ? createInfluxStore(config.influx) : undefined;
if (config.influx?.api === 'v1') {
  // InfluxDB 1.x: CREATE DATABASE is idempotent; without the right to do it, writes will say why.
  await ensureInfluxV1Database(config.influx).catch((error: Error) =>
    logger.warn({ err: error }, 'cannot create the InfluxDB database'),
  );
}
const worker = startCollectWorker(
  config,
  {
    openRunner: createRunnerFactory(process.env['HOME'] ?? homedir()),
    influx,
    now: () => new Date(),
    logger,
    authLogState: createRedisAuthLogStateStore(connection, config.redis.prefix),
  },
  connection,
);
worker.on('failed', (job, error) => logger.warn({ job: job?.id, reason: error.message }, 'collect job failed'));
worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
logger.info({ hosts: config.hosts.length, concurrency: config.collector.concurrency }, 'collector started');

onShutdownSignal(logger, async () => {
  // close() waits for jobs in progress to finish; nothing new is taken meanwhile.
  await worker.close();
  await influx?.close();
  await connection.quit();
});
