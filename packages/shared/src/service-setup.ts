import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { startMetricsServer, type WorkerHealth } from './metrics/metrics-server.js';
import { reportRedisPersistence } from './pipeline/redis-persistence.js';
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
  /**
   * The worker's Prometheus registry, with the process metrics, and `serve()` to start its
   * /metrics endpoint (on $METRICS_PORT, 0 = any free port, or the configured port) and record
   * whether Redis keeps what BullMQ needs.
   */
  metrics(configuredPort: number): ServiceMetrics;
}

export interface ServiceMetrics {
  registry: Registry;
  /** Starts GET /metrics, and /healthz and /readyz answered from `health`. */
  serve(health?: WorkerHealth): Promise<Server>;
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
  const connection = createRedisConnection(config.redis.url);
  const { host } = config.metrics;
  return {
    logger,
    config: config as ServiceSetup['config'],
    connection,
    metrics(configuredPort) {
      const registry = new Registry();
      collectDefaultMetrics({ register: registry });
      const port = fromEnv !== undefined && /^\d+$/.test(fromEnv) ? Number(fromEnv) : configuredPort;
      return {
        registry,
        async serve(health) {
          const server = await startMetricsServer(registry, { host, port, health }, logger);
          await reportRedisPersistence(connection, registry, logger);
          return server;
        },
      };
    },
  };
}

/** The artifact store the configuration asks for: Redis (no shared volume needed) or a directory. */
export function createArtifactStore(config: Config, redis: Redis | undefined): ArtifactStore {
  if (config.artifacts.backend === 'redis' && redis) {
    return createRedisArtifactStore(redis, config.redis?.prefix ?? 'infra-report', config.artifacts.retentionSeconds);
  }
  return createFilesystemArtifactStore(config.artifacts.directory);
}
