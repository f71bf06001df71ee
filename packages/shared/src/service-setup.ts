import type { Redis } from 'ioredis';
import { findConfigFile, loadConfig, type Config } from './config/load.js';
import { createLogger, type Logger } from './logger.js';
import { createRedisConnection } from './redis.js';
import {
  createFilesystemArtifactStore,
  createRedisArtifactStore,
  type ArtifactStore,
} from './stores/artifact-store.js';

export interface ServiceSetup {
  logger: Logger;
  config: Config & { redis: NonNullable<Config['redis']> };
  connection: Redis;
  /** The service's metrics port: $METRICS_PORT (0 = any free port) or the configured one. */
  metricsPort(configured: number): number;
}

/**
 * What every service's main.ts starts with: a logger, the configuration (first argument or
 * $INFRA_REPORT_CONFIG ...), and the Redis connection it cannot run without.
 */
export function setUpService(name: string, argv: string[], env: NodeJS.ProcessEnv): ServiceSetup {
  const logger = createLogger(name, env['LOG_LEVEL'] ?? 'info');
  const environment = { env };
  const config = loadConfig(findConfigFile(argv[2], environment), environment);
  if (!config.redis) {
    logger.fatal(`redis.url (or REDIS_URL) is required for the ${name} service`);
    process.exit(2);
  }
  const fromEnv = env['METRICS_PORT'];
  return {
    logger,
    config: config as ServiceSetup['config'],
    connection: createRedisConnection(config.redis.url),
    metricsPort: (configured) => (fromEnv !== undefined && /^\d+$/.test(fromEnv) ? Number(fromEnv) : configured),
  };
}

/** The artifact store the configuration asks for: Redis (no shared volume needed) or a directory. */
export function createArtifactStore(config: Config, redis: Redis | undefined): ArtifactStore {
  if (config.artifacts.backend === 'redis' && redis) {
    return createRedisArtifactStore(redis, config.redis?.prefix ?? 'infra-report', config.artifacts.retentionSeconds);
  }
  return createFilesystemArtifactStore(config.artifacts.directory);
}
