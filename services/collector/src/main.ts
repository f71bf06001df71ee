import { homedir } from 'node:os';
import { createInfluxStore, createLogger, ensureInfluxV1Database, createRedisConnection, findConfigFile, loadConfig, onShutdownSignal } from '@infra-report/shared';
import { startCollectWorker } from './collect-worker.js';
import { createRedisAuthLogStateStore } from './auth-log-state.js';
import { createRunnerFactory } from './open-runner.js';

const logger = createLogger('collector', process.env['LOG_LEVEL'] ?? 'info');
const environment = { env: process.env };
const config = loadConfig(findConfigFile(process.argv[2], environment), environment);
if (!config.redis) {
  logger.fatal('redis.url (or REDIS_URL) is required for the collector service');
  process.exit(2);
}
const influx = config.influx ? createInfluxStore(config.influx) : undefined;
if (config.influx?.api === 'v1') {
  // InfluxDB 1.x: CREATE DATABASE is idempotent; without the right to do it, writes will say why.
  await ensureInfluxV1Database(config.influx).catch((error: Error) => logger.warn({ err: error }, 'cannot create the InfluxDB database'));
}
const connection = createRedisConnection(config.redis.url);
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
