import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { collectDefaultMetrics, Registry } from 'prom-client';
import {
  createRedisHostStatusStore,
  queueNames,
  registerPipelineStatusMetrics,
  silentLogger,
  type ArtifactStore,
  type Config,
  type DeliverJobData,
  type DeliverResult,
  type Logger,
  type RenderJobData,
  type RenderResult,
} from '@infra-report/shared';
import { bearerAuth } from './auth.js';
import { problemErrorHandler, problemSchema, sendProblem } from './problem.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerHostRoutes } from './routes/hosts.js';
import { registerReportRoutes } from './routes/reports.js';
import { registerRunRoutes } from './routes/runs.js';
import { registerSilenceRoutes } from './routes/silences.js';
import type { ApiContext } from './context.js';
import type { RunQueues } from './run-view.js';
import { sharedSchemas } from './schemas.js';

export interface AppOptions {
  config: Config;
  redis: Redis;
  artifacts: ArtifactStore;
  now?: () => Date;
  /** The service's logger (its redaction applies to Fastify's request logs too); none in tests. */
  logger?: Logger;
}

// An id a client sends is kept (and echoed) only when it cannot forge or flood a log line.
const clientRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/** Builds the API; tests call app.inject() on it, main.ts listens on a port. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, redis, artifacts } = options;
  const prefix = config.redis?.prefix ?? 'infra-report';
  const connection: ConnectionOptions = redis;
  const queues: RunQueues = {
    collect: new Queue(queueNames.collect, { connection, prefix }),
    render: new Queue<RenderJobData, RenderResult>(queueNames.render, { connection, prefix }),
    deliver: new Queue<DeliverJobData, DeliverResult>(queueNames.deliver, { connection, prefix }),
  };
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const pipelineStatus = registerPipelineStatusMetrics(registry, redis, prefix);

  const app = Fastify({
    // The service's logger when given (its redaction covers Fastify's request logs), else quiet.
    loggerInstance: (options.logger ?? silentLogger()) as FastifyBaseLogger,
    requestIdHeader: false,
    requestIdLogLabel: 'requestId',
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && clientRequestId.test(given) ? given : randomUUID();
    },
    bodyLimit: 64 * 1024,
    // Unknown fields are an error the caller should see, not something silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
  });
  // A Redis outage is reported by /readyz; the queues' own connection errors only go to the log.
  for (const queue of Object.values(queues))
    queue.on('error', (error: Error) => app.log.warn({ err: error }, 'queue error'));
  app.addHook('onClose', async () => {
    await Promise.all(Object.values(queues).map((q) => q.close()));
    await pipelineStatus.close();
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'infra-report API',
        version: '1',
        description:
          "On-demand reports, run progress and report files, the fleet's latest state. Errors are application/problem+json with a stable `code`.",
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A token of api.tokens; scopes: read, trigger, silence',
          },
        },
      },
      tags: [
        { name: 'reports', description: 'Runs and their report files' },
        { name: 'hosts', description: 'The fleet as last collected' },
        { name: 'alerts', description: 'Silences of immediate alerts' },
        { name: 'operations', description: 'Health and metrics' },
      ],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json['$id'] ?? `def-${i}`) },
  });
  app.addSchema(problemSchema);
  for (const schema of sharedSchemas) app.addSchema(schema);
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });

  await app.register(rateLimit, {
    global: true,
    max: config.api.rate_limit_per_minute,
    timeWindow: 60_000,
  });

  const context: ApiContext = {
    config,
    redis,
    prefix,
    artifacts,
    queues,
    hostStatus: createRedisHostStatusStore(redis, prefix),
    requireScope: bearerAuth(config.api.tokens),
    now: options.now ?? (() => new Date()),
  };
  registerHealthRoutes(app, context, registry);
  await app.register(
    async (v1) => {
      registerReportRoutes(v1, context);
      registerRunRoutes(v1, context);
      registerHostRoutes(v1, context);
      registerSilenceRoutes(v1, context);
    },
    { prefix: '/v1' },
  );
  app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () => app.swagger());
  return app;
}
