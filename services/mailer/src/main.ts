import { createFilesystemArtifactStore, createLogger, createRedisArtifactStore, createRedisConnection, findConfigFile, loadConfig, onShutdownSignal } from '@infra-report/shared';
import { startDeliverWorker } from './deliver-worker.js';
import { createMailDestination, createRedisDeliveryLedger } from './transports.js';

const logger = createLogger('mailer', process.env['LOG_LEVEL'] ?? 'info');
const environment = { env: process.env };
const config = loadConfig(findConfigFile(process.argv[2], environment), environment);
if (!config.redis) {
  logger.fatal('redis.url (or REDIS_URL) is required for the mailer service');
  process.exit(2);
}
const connection = createRedisConnection(config.redis.url);
const artifacts =
  config.artifacts.backend === 'redis'
    ? createRedisArtifactStore(connection, config.redis.prefix, config.artifacts.retentionSeconds)
    : createFilesystemArtifactStore(config.artifacts.directory);
const destination = createMailDestination(config);
const worker = startDeliverWorker(
  {
    artifacts,
    destination,
    report: config.report,
    ledger: createRedisDeliveryLedger(connection, config.redis.prefix, config.artifacts.retentionSeconds),
    now: () => new Date(),
    logger,
  },
  connection,
  config.redis.prefix,
);
worker.on('failed', (job, error) => logger.error({ job: job?.id, err: error }, 'deliver job failed'));
worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
logger.info({ destination: destination.kind }, 'mailer started');

onShutdownSignal(logger, async () => {
  await worker.close();
  destination.transport.close();
  await connection.quit();
});
