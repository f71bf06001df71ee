import type { FastifyInstance } from 'fastify';
import { GoneError, InvalidRequestError, isCalendarDate, NotFoundError } from '@infra-report/shared';
import type { ApiContext } from '../context.js';
import { describeRun, listRuns, runPhases, type RunPhase } from '../run-view.js';
import { datePattern, pageProperties, pageQuery, runIdPattern } from '../schemas.js';
import { page } from './paging.js';
import { authProblems, problemResponses } from './problems.js';

export function registerRunRoutes(v1: FastifyInstance, context: ApiContext): void {
  const read = context.requireScope('read');

  v1.get(
    '/runs',
    {
      preValidation: read,
      schema: {
        tags: ['reports'],
        summary: 'Runs still kept in Redis, newest first',
        security: [{ bearer: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            date: { type: 'string', pattern: datePattern, description: 'Only runs of this report date' },
            state: { type: 'string', enum: [...runPhases] },
            ...pageQuery,
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { runs: { type: 'array', items: { $ref: 'RunListItem#' } }, ...pageProperties },
          },
          ...problemResponses(...authProblems),
        },
      },
    },
    async (request) => {
      const query = request.query as { date?: string; state?: RunPhase; limit: number; offset: number };
      if (query.date !== undefined && !isCalendarDate(query.date))
        throw new InvalidRequestError(`date ${query.date} is not a calendar day`);
      const runs = await listRuns(context.queues, { date: query.date, state: query.state });
      const { items, ...rest } = page(request, runs, query.limit, query.offset);
      return { runs: items.map((r) => ({ ...r, url: `/v1/runs/${encodeURIComponent(r.runId)}` })), ...rest };
    },
  );

  v1.get(
    '/runs/:runId',
    {
      preValidation: read,
      schema: {
        tags: ['reports'],
        summary: "A run: each host's progress, the render, the delivery and the files",
        security: [{ bearer: [] }],
        params: {
          type: 'object',
          properties: { runId: { type: 'string', pattern: runIdPattern } },
          required: ['runId'],
        },
        response: { 200: { $ref: 'RunDetail#' }, ...problemResponses(...authProblems, 'NOT_FOUND') },
      },
    },
    async (request) => {
      const { runId } = request.params as { runId: string };
      const run = await describeRun(runId, {
        queues: context.queues,
        redis: context.redis,
        prefix: context.prefix,
        hostStatus: context.hostStatus,
        deadlineMinutes: context.config.pipeline.run_deadline_minutes,
        now: context.now(),
      });
      if (!run) throw new NotFoundError(`no run ${runId}`);
      return run;
    },
  );

  v1.get(
    '/runs/:runId/files/:fileName',
    {
      preValidation: read,
      schema: {
        tags: ['reports'],
        summary: "Download one of a run's report files (PDF, XLSX, run log)",
        security: [{ bearer: [] }],
        params: {
          type: 'object',
          properties: {
            runId: { type: 'string', pattern: runIdPattern },
            fileName: { type: 'string', pattern: '^[A-Za-z0-9._+-]{1,200}$' },
          },
          required: ['runId', 'fileName'],
        },
        response: {
          200: {
            description: 'The file, byte for byte as stored (the PDF, the XLSX, the run log)',
            content: {
              'application/pdf': { schema: { type: 'string', format: 'binary' } },
              'text/plain': { schema: { type: 'string' } },
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
                schema: { type: 'string', format: 'binary' },
              },
            },
          },
          ...problemResponses(...authProblems, 'NOT_FOUND', 'GONE'),
        },
      },
    },
    async (request, reply) => {
      const { runId, fileName } = request.params as { runId: string; fileName: string };
      const renderJob = await context.queues.render.getJob(runId);
      const artifact = renderJob?.returnvalue?.artifacts.find((a) => a.fileName === fileName);
      if (!artifact) throw new NotFoundError(`run ${runId} has no file ${fileName}`);
      const content = await context.artifacts.get(artifact.key);
      if (!content) throw new GoneError(`${fileName} has expired from the artifact store`);
      return reply
        .header('content-type', artifact.contentType)
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .send(content);
    },
  );
}
