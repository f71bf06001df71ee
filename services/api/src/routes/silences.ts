import type { FastifyInstance } from 'fastify';
import {
  alertRuleNames,
  createRedisAlertStateStore,
  isActiveSilence,
  newSilence,
  NotFoundError,
  silenceSeconds,
} from '@infra-report/shared';
import { clientName } from '../auth.js';
import type { ApiContext } from '../context.js';
import { authProblems, problemResponses } from './problems.js';

const silenceSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    host: { type: 'string' },
    rule: { type: ['string', 'null'] },
    subject: { type: ['string', 'null'] },
    startsAt: { type: 'string', format: 'date-time' },
    endsAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
    comment: { type: 'string' },
    active: { type: 'boolean' },
  },
};

/**
 * Silences without Alertmanager: matching alerts stay in the alert state and the report but are
 * not notified until the silence ends (or is deleted).
 */
export function registerSilenceRoutes(v1: FastifyInstance, context: ApiContext): void {
  const state = createRedisAlertStateStore(context.redis, context.prefix);
  const view = (s: Awaited<ReturnType<typeof state.silences>>[number]) => ({
    ...s,
    active: isActiveSilence(s, context.now()),
  });

  v1.get(
    '/silences',
    {
      preValidation: context.requireScope('read'),
      schema: {
        tags: ['alerts'],
        summary: 'Silences, active and ended within the last weeks',
        security: [{ bearer: [] }],
        response: {
          200: { type: 'object', properties: { silences: { type: 'array', items: silenceSchema } } },
          ...problemResponses(...authProblems),
        },
      },
    },
    async () => ({
      silences: (await state.silences()).map(view).sort((a, b) => b.startsAt.localeCompare(a.startsAt)),
    }),
  );

  v1.post(
    '/silences',
    {
      preValidation: context.requireScope('silence'),
      schema: {
        tags: ['alerts'],
        summary: 'Silence the alerts of a host (pattern with *), optionally of one rule and subject, for a while',
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['host', 'for'],
          properties: {
            host: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9*][A-Za-z0-9._*-]*$' },
            rule: { type: 'string', enum: [...alertRuleNames] },
            subject: { type: 'string', minLength: 1, maxLength: 500 },
            for: { type: 'string', minLength: 2, maxLength: 20, description: 'a duration: 30m, 4h, 1h30m, 2d' },
            comment: { type: 'string', maxLength: 500 },
          },
        },
        response: {
          201: silenceSchema,
          ...problemResponses(...authProblems),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as { host: string; rule?: string; subject?: string; for: string; comment?: string };
      const seconds = silenceSeconds(body.for, 'for');
      const silence = newSilence(
        {
          host: body.host,
          rule: body.rule,
          subject: body.subject,
          durationSeconds: seconds,
          createdBy: clientName(request),
          comment: body.comment,
        },
        context.now(),
      );
      await state.addSilence(silence);
      request.log.info({ silence: silence.id, host: silence.host, rule: silence.rule }, 'silence created');
      return reply.code(201).send(view(silence));
    },
  );

  v1.delete(
    '/silences/:id',
    {
      preValidation: context.requireScope('silence'),
      schema: {
        tags: ['alerts'],
        summary: 'End a silence now',
        security: [{ bearer: [] }],
        params: {
          type: 'object',
          properties: { id: { type: 'string', pattern: '^[0-9a-f-]{36}$' } },
          required: ['id'],
        },
        response: { 204: { type: 'null' }, ...problemResponses(...authProblems, 'NOT_FOUND') },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!(await state.expireSilence(id, context.now()))) throw new NotFoundError(`no silence ${id}`);
      return reply.code(204).send();
    },
  );
}
