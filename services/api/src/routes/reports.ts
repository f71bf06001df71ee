import type { FastifyInstance } from 'fastify';
import { enqueueRun } from '@infra-report/shared';
import type { ApiContext } from '../context.js';
import { datePattern } from '../schemas.js';
import { authProblems, problemResponses } from './problems.js';

export function registerReportRoutes(v1: FastifyInstance, context: ApiContext): void {
  v1.post(
    '/reports',
    {
      // preValidation: after the rate limit (so failed authentications count against it), before
      // the body is validated (so an unauthenticated caller learns nothing about the schema).
      preValidation: context.requireScope('trigger'),
      schema: {
        tags: ['reports'],
        summary: 'Start a report run (the same date and scope twice is the same run)',
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            date: { type: 'string', pattern: datePattern, description: 'Report date (default: today)' },
            groups: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, maxItems: 100 },
            hosts: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 253 }, maxItems: 10000 },
          },
        },
        response: {
          202: {
            type: 'object',
            properties: {
              runId: { type: 'string' },
              created: { type: 'boolean', description: 'false: the run existed; nothing was enqueued' },
              state: { type: 'string' },
              hosts: { type: 'integer' },
              url: { type: 'string' },
            },
          },
          ...problemResponses(...authProblems, 'DEPENDENCY_UNAVAILABLE'),
        },
      },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as { date?: string; groups?: string[]; hosts?: string[] };
      // An unknown host or group, or an impossible date, is an InvalidRequestError: 400.
      const outcome = await enqueueRun(
        context.config,
        context.redis,
        { groups: body.groups, hosts: body.hosts },
        context.now(),
        body.date,
      );
      request.log.info({ run: outcome.run.runId, created: outcome.created }, 'report requested');
      return reply.status(202).send({
        runId: outcome.run.runId,
        created: outcome.created,
        state: outcome.state,
        hosts: outcome.hosts,
        url: `/v1/runs/${encodeURIComponent(outcome.run.runId)}`,
      });
    },
  );
}
