import {
  serviceOf,
  shutdownDeadlineMs,
  type Service,
  type ServiceSetup,
  createArtifactStore,
} from '@infra-report/shared';
import { buildApp } from './app.js';

/** The api service: start() wires it and starts it; close() stops it in order. */
export function createApi(setup: ServiceSetup): Service {
  const { logger, config, connection } = setup;
  return serviceOf(setup, shutdownDeadlineMs.api, async () => {
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

    return [
      // Stops accepting connections and waits for requests in flight.
      { name: 'http server', run: () => app.close() },
    ];
  });
}
