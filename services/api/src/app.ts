import { timingSafeEqual } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import {
  enqueueRun,
  errorCodeOf,
  GoneError,
  httpStatusFor,
  InfraReportError,
  NotFoundError,
  queueNames,
  runDeadline,
  UnauthenticatedError,
  type ArtifactStore,
  type Config,
  type DeliverJobData,
  type RenderJobData,
  type RenderResult,
} from '@infra-report/shared';
import { registerPipelineMetrics } from './metrics.js';

export interface AppOptions {
  config: Config;
  redis: Redis;
  artifacts: ArtifactStore;
  now?: () => Date;
  logger?: boolean | object;
}

const runIdPattern = '^[A-Za-z0-9._+-]{1,200}$';
const errorSchema = { type: 'object', properties: { error: { type: 'string' }, code: { type: 'string' } } } as const;

/** Builds the API; tests call app.inject() on it, main.ts listens on a port. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, redis, artifacts } = options;
  const now = options.now ?? (() => new Date());
  const prefix = config.redis?.prefix ?? 'infra-report';
  const connection: ConnectionOptions = redis;
  const queues = {
    collect: new Queue(queueNames.collect, { connection, prefix }),
    render: new Queue<RenderJobData, RenderResult>(queueNames.render, { connection, prefix }),
    deliver: new Queue<DeliverJobData>(queueNames.deliver, { connection, prefix }),
  };
  const registry = new Registry();
  registerPipelineMetrics(registry, queues);

  const app = Fastify({
    logger: options.logger ?? false,
    requestIdHeader: 'x-request-id',
    bodyLimit: 64 * 1024,
    // Unknown fields are an error the caller should see, not something silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
  });
  // A Redis outage is reported by /readyz; the queues' own connection errors only go to the log.
  for (const queue of Object.values(queues)) queue.on('error', (error) => app.log.warn({ err: error }, 'queue error'));
  app.addHook('onClose', async () => {
    await Promise.all(Object.values(queues).map((q) => q.close()));
  });

  // The status comes from the error's code (errors.ts), or from Fastify for its own errors
  // (schema validation, body too large); never from the wording of a message.
  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
    const ours = error instanceof InfraReportError;
    const status = ours ? httpStatusFor(error) : error.validation ? 400 : (error.statusCode ?? 500);
    const code = ours
      ? errorCodeOf(error)
      : status === 429
        ? 'RATE_LIMITED'
        : status < 500
          ? 'INVALID_REQUEST'
          : 'INTERNAL';
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(status).send({ error: status >= 500 && !ours ? 'internal error' : error.message, code });
  });

  const tokens = config.api.tokens.map((t) => Buffer.from(t));
  const authenticate = async (request: { headers: Record<string, string | string[] | undefined> }) => {
    if (tokens.length === 0)
      throw new UnauthenticatedError('no API tokens are configured (api.tokens or INFRA_REPORT_API_TOKEN)');
    const header = request.headers['authorization'];
    const presented =
      typeof header === 'string' && header.startsWith('Bearer ') ? Buffer.from(header.slice(7)) : undefined;
    if (!presented || !tokens.some((t) => t.length === presented.length && timingSafeEqual(t, presented))) {
      throw new UnauthenticatedError('missing or invalid bearer token');
    }
  };

  await app.register(rateLimit, {
    global: true,
    max: config.api.rate_limit_per_minute,
    timeWindow: 60_000,
  });

  // Liveness: the process answers. Never touches Redis, so a Redis outage does not get every
  // API pod restarted (it makes them unready instead).
  app.get(
    '/healthz',
    {
      config: { rateLimit: false },
      schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } },
    },
    async () => ({ status: 'ok' }),
  );

  // Readiness: Redis answers within a second; otherwise 503 at once, not after ioredis' retries.
  app.get(
    '/readyz',
    {
      config: { rateLimit: false },
      schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } }, 503: errorSchema } },
    },
    async (_request, reply) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          redis.ping(),
          new Promise((_resolve, reject) => {
            timer = setTimeout(() => reject(new Error('no answer within 1 s')), 1000);
          }),
        ]);
        return { status: 'ready' };
      } catch (error) {
        return reply.status(503).send({ error: `redis: ${(error as Error).message}`, code: 'DEPENDENCY_UNAVAILABLE' });
      } finally {
        clearTimeout(timer);
      }
    },
  );

  app.get('/metrics', { config: { rateLimit: false } }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });

  await app.register(
    async (v1) => {
      // preValidation: after the rate limit (so failed authentications count against it), before
      // the body is validated (so an unauthenticated caller learns nothing about the schema).
      v1.addHook('preValidation', authenticate);

      v1.post(
        '/reports',
        {
          schema: {
            body: {
              type: 'object',
              additionalProperties: false,
              properties: {
                date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
                groups: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, maxItems: 100 },
                hosts: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 253 }, maxItems: 10000 },
              },
            },
            response: {
              202: {
                type: 'object',
                properties: {
                  runId: { type: 'string' },
                  created: { type: 'boolean' },
                  state: { type: 'string' },
                  hosts: { type: 'integer' },
                },
              },
              400: errorSchema,
            },
          },
        },
        async (request, reply) => {
          const body = (request.body ?? {}) as { date?: string; groups?: string[]; hosts?: string[] };
          // An unknown host or group, or an impossible date, is an InvalidRequestError: 400.
          const outcome = await enqueueRun(
            config,
            connection,
            { groups: body.groups, hosts: body.hosts },
            now(),
            body.date,
          );
          return reply
            .status(202)
            .send({ runId: outcome.run.runId, created: outcome.created, state: outcome.state, hosts: outcome.hosts });
        },
      );

      v1.get(
        '/runs/:runId',
        {
          schema: {
            params: {
              type: 'object',
              properties: { runId: { type: 'string', pattern: runIdPattern } },
              required: ['runId'],
            },
          },
        },
        async (request) => {
          const { runId } = request.params as { runId: string };
          const deliverJob = await queues.deliver.getJob(runId);
          if (!deliverJob) throw new NotFoundError(`no run ${runId}`);
          const renderJob = await queues.render.getJob(runId);
          const collect = renderJob ? await renderJob.getDependenciesCount() : undefined;
          const failures = renderJob ? await renderJob.getIgnoredChildrenFailures() : {};
          const rendered = renderJob?.returnvalue ?? null;
          const renderState = renderJob ? await renderJob.getState() : null;
          const deadline = runDeadline(deliverJob.data.run, config.pipeline.run_deadline_minutes);
          return {
            runId,
            run: deliverJob.data.run,
            state: await deliverJob.getState(),
            // When the run renders with what it has; overdue: past it and still waiting for hosts.
            deadline: deadline.toISOString(),
            overdue: renderState === 'waiting-children' && now() > deadline,
            render: renderJob ? { state: renderState, failedReason: renderJob.failedReason || null } : null,
            collect: collect ?? null,
            unreachable: Object.entries(failures).map(([key, reason]) => ({ job: key.split(':').pop(), reason })),
            delivered: deliverJob.returnvalue ?? null,
            files:
              rendered?.artifacts.map((a) => ({
                fileName: a.fileName,
                bytes: a.bytes,
                contentType: a.contentType,
                url: `/v1/runs/${runId}/files/${a.fileName}`,
              })) ?? [],
            summary: rendered?.summary ?? null,
          };
        },
      );

      v1.get(
        '/runs/:runId/files/:fileName',
        {
          schema: {
            params: {
              type: 'object',
              properties: {
                runId: { type: 'string', pattern: runIdPattern },
                fileName: { type: 'string', pattern: '^[A-Za-z0-9._+-]{1,200}$' },
              },
              required: ['runId', 'fileName'],
            },
          },
        },
        async (request, reply) => {
          const { runId, fileName } = request.params as { runId: string; fileName: string };
          const renderJob = await queues.render.getJob(runId);
          const artifact = renderJob?.returnvalue?.artifacts.find((a) => a.fileName === fileName);
          if (!artifact) throw new NotFoundError(`run ${runId} has no file ${fileName}`);
          const content = await artifacts.get(artifact.key);
          if (!content) throw new GoneError(`${fileName} has expired from the artifact store`);
          return reply
            .header('content-type', artifact.contentType)
            .header('content-disposition', `attachment; filename="${fileName}"`)
            .send(content);
        },
      );
    },
    { prefix: '/v1' },
  );

  return app;
}
