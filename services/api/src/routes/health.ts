import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { ApiContext } from '../context.js';
import { sendProblem } from '../problem.js';
import { problemResponses } from './problems.js';

const statusSchema = { type: 'object', properties: { status: { type: 'string' } } } as const;

export function registerHealthRoutes(app: FastifyInstance, context: ApiContext, registry: Registry): void {
  // Liveness: the process answers. Never touches Redis, so a Redis outage does not get every
  // API pod restarted (it makes them unready instead).
  app.get(
    '/healthz',
    {
      config: { rateLimit: false },
      schema: { tags: ['operations'], summary: 'The process is alive', response: { 200: statusSchema } },
    },
    async () => ({ status: 'ok' }),
  );

  // Readiness: Redis answers within a second; otherwise 503 at once, not after ioredis' retries.
  app.get(
    '/readyz',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'Redis answers within a second',
        response: { 200: statusSchema, ...problemResponses('DEPENDENCY_UNAVAILABLE') },
      },
    },
    async (request, reply) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          context.redis.ping(),
          new Promise((_resolve, reject) => {
            timer = setTimeout(() => reject(new Error('no answer within 1 s')), 1000);
          }),
        ]);
        return { status: 'ready' };
      } catch (error) {
        return sendProblem(request, reply, 'DEPENDENCY_UNAVAILABLE', `redis: ${(error as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    },
  );

  app.get(
    '/metrics',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics: queue depths, last successes, the last run',
        produces: ['text/plain'],
      },
    },
    async (_request, reply) => {
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    },
  );
}
