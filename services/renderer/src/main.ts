import { createFilesystemArtifactStore, createLogger, createRedisArtifactStore, createRedisConnection, findConfigFile, loadConfig, onShutdownSignal } from '@infra-report/shared';
import { startRenderWorker } from './render-worker.js';

const logger = createLogger('renderer', process.env['LOG_LEVEL'] ?? 'info');
const environment = { env: process.env };
const config = loadConfig(findConfigFile(process.argv[2], environment), environment);
if (!config.redis) {
  logger.fatal('redis.url (or REDIS_URL) is required for the renderer service');
  process.exit(2);
}
const connection = createRedisConnection(config.redis.url);
const artifacts =
  config.artifacts.backend === 'redis'
    ? createRedisArtifactStore(connection, config.redis.prefix, config.artifacts.retentionSeconds)
    : createFilesystemArtifactStore(config.artifacts.directory);
const worker = startRenderWorker({ artifacts, report: config.report, now: () => new Date(), logger }, connection, config.redis.prefix);
worker.on('failed', (job, error) => logger.error({ job: job?.id, err: error }, 'render job failed'));
worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
logger.info('renderer started');

onShutdownSignal(logger, async () => {
  await worker.close();
  await connection.quit();
});
