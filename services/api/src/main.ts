import { createArtifactStore, onShutdownSignal, setUpService } from '@infra-report/shared';
import { buildApp } from './app.js';

const { logger, config, connection } = setUpService('api', process.argv, process.env);
if (config.api.tokens.length === 0) logger.warn('no API tokens configured: every /v1 request will be refused');
const app = await buildApp({
  config,
  redis: connection,
  artifacts: createArtifactStore(config, connection),
  // The service's own logger: the same redaction of secrets in Fastify's request logs.
  logger,
});
const address = await app.listen({ host: config.api.host, port: config.api.port });
logger.info({ address }, 'api listening');

onShutdownSignal(logger, async () => {
  // Stops accepting connections and waits for requests in flight.
  await app.close();
  await connection.quit();
});
