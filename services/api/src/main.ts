import { createFilesystemArtifactStore, createLogger, createRedisArtifactStore, createRedisConnection, findConfigFile, loadConfig, onShutdownSignal } from '@infra-report/shared';
import { buildApp } from './app.js';

const logger = createLogger('api', process.env['LOG_LEVEL'] ?? 'info');
const environment = { env: process.env };
const config = loadConfig(findConfigFile(process.argv[2], environment), environment);
if (!config.redis) {
  logger.fatal('redis.url (or REDIS_URL) is required for the api service');
  process.exit(2);
}
if (config.api.tokens.length === 0) logger.warn('no API tokens configured: every /v1 request will be refused');
const redis = createRedisConnection(config.redis.url);
const artifacts =
  config.artifacts.backend === 'redis'
    ? createRedisArtifactStore(redis, config.redis.prefix, config.artifacts.retentionSeconds)
    : createFilesystemArtifactStore(config.artifacts.directory);
const app = await buildApp({ config, redis, artifacts, logger: { level: process.env['LOG_LEVEL'] ?? 'info', name: 'api' } });
const address = await app.listen({ host: config.api.host, port: config.api.port });
logger.info({ address }, 'api listening');

onShutdownSignal(logger, async () => {
  // Stops accepting connections and waits for requests in flight.
  await app.close();
  await redis.quit();
});
