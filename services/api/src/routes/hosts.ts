import type { FastifyInstance } from 'fastify';
import { NotFoundError, type HostStatus, type ResolvedHost } from '@infra-report/shared';
import type { ApiContext } from '../context.js';
import { pageProperties, pageQuery } from '../schemas.js';
import { page } from './paging.js';
import { authProblems, problemResponses } from './problems.js';

/** A configured host with its last collection (nothing of its SSH settings: no key paths, no users). */
function hostView(host: ResolvedHost, status: HostStatus | null | undefined) {
  return {
    name: host.name,
    address: host.address,
    groups: host.groups,
    labels: host.labels,
    state: status?.state ?? 'never_collected',
    lastAttemptAt: status?.lastAttemptAt ?? null,
    lastRunId: status?.lastRunId ?? null,
    failure: status?.failure ?? null,
    lastReport: status?.lastReport ?? null,
  };
}

export function registerHostRoutes(v1: FastifyInstance, context: ApiContext): void {
  const read = context.requireScope('read');

  v1.get(
    '/hosts',
    {
      preValidation: read,
      schema: {
        tags: ['hosts'],
        summary: 'The configured hosts, each with its last collection summarised',
        security: [{ bearer: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            group: { type: 'string', minLength: 1, maxLength: 200 },
            state: { type: 'string', enum: ['reported', 'failed', 'never_collected'] },
            ...pageQuery,
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { hosts: { type: 'array', items: { $ref: 'Host#' } }, ...pageProperties },
          },
          ...problemResponses(...authProblems),
        },
      },
    },
    async (request) => {
      const query = request.query as { group?: string; state?: string; limit: number; offset: number };
      const statuses = await context.hostStatus.all();
      const hosts = context.config.hosts
        .filter((h) => !query.group || h.groups.includes(query.group))
        .map((h) => hostView(h, statuses.get(h.name)))
        .filter((h) => !query.state || h.state === query.state);
      const { items, ...rest } = page(request, hosts, query.limit, query.offset);
      return { hosts: items, ...rest };
    },
  );

  v1.get(
    '/hosts/:name',
    {
      preValidation: read,
      schema: {
        tags: ['hosts'],
        summary: "One host's last collection, summarised",
        security: [{ bearer: [] }],
        params: {
          type: 'object',
          properties: { name: { type: 'string', minLength: 1, maxLength: 253 } },
          required: ['name'],
        },
        response: { 200: { $ref: 'Host#' }, ...problemResponses(...authProblems, 'NOT_FOUND') },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const host = context.config.hosts.find((h) => h.name === name);
      if (!host) throw new NotFoundError(`no host ${name} in the configuration`);
      return hostView(host, await context.hostStatus.get(name));
    },
  );
}
