/**
 * JSON schemas of the API's bodies. Fastify validates requests and serialises responses with
 * them, and @fastify/swagger turns them into the OpenAPI document: one source for all three.
 */
import { runPhases } from './run-view.js';

export const runIdPattern = '^[A-Za-z0-9._+-]{1,200}$';
export const datePattern = '^\\d{4}-\\d{2}-\\d{2}$';

const nullable = (schema: Record<string, unknown>) => ({ ...schema, nullable: true });

export const runSpecSchema = {
  $id: 'RunSpec',
  type: 'object',
  properties: {
    runId: { type: 'string' },
    reportDate: { type: 'string', format: 'date' },
    scope: { type: 'string' },
    windowStart: { type: 'string', format: 'date-time' },
    windowEnd: { type: 'string', format: 'date-time' },
    timezone: { type: 'string' },
  },
} as const;

export const runListItemSchema = {
  $id: 'RunListItem',
  type: 'object',
  properties: {
    runId: { type: 'string' },
    reportDate: { type: 'string', format: 'date' },
    scope: { type: 'string' },
    state: { type: 'string', enum: [...runPhases] },
    createdAt: { type: 'string', format: 'date-time' },
    hosts: nullable({ type: 'integer' }),
    deliveredAt: nullable({ type: 'string', format: 'date-time' }),
    url: { type: 'string' },
  },
} as const;

export const hostProgressSchema = {
  $id: 'HostProgress',
  type: 'object',
  properties: {
    name: { type: 'string' },
    address: { type: 'string' },
    groups: { type: 'array', items: { type: 'string' } },
    state: { type: 'string', enum: ['waiting', 'collecting', 'retrying', 'reported', 'failed', 'given_up'] },
    attempts: { type: 'integer' },
    reason: nullable({ type: 'string' }),
    kind: nullable({ type: 'string', description: 'refused, timeout, auth, host_key, command, ...' }),
    finishedAt: nullable({ type: 'string', format: 'date-time' }),
  },
} as const;

const summarySchema = {
  type: 'object',
  nullable: true,
  description: 'What the email says of the run: the same counts as the PDF and the XLSX',
  additionalProperties: true,
  properties: {
    hostsTotal: { type: 'integer' },
    hostsReporting: { type: 'integer' },
    hostsUnreachable: { type: 'integer' },
    critical: { type: 'integer' },
    warnings: { type: 'integer' },
  },
} as const;

export const runDetailSchema = {
  $id: 'RunDetail',
  type: 'object',
  properties: {
    runId: { type: 'string' },
    run: { $ref: 'RunSpec#' },
    state: { type: 'string', enum: [...runPhases] },
    createdAt: { type: 'string', format: 'date-time' },
    deadline: { type: 'string', format: 'date-time' },
    overdue: { type: 'boolean' },
    progress: {
      type: 'object',
      properties: {
        total: { type: 'integer' },
        reported: { type: 'integer' },
        failed: { type: 'integer' },
        pending: { type: 'integer' },
      },
    },
    hosts: { type: 'array', items: { $ref: 'HostProgress#' } },
    render: nullable({
      type: 'object',
      properties: {
        state: nullable({ type: 'string' }),
        attempts: { type: 'integer' },
        failedReason: nullable({ type: 'string' }),
        finishedAt: nullable({ type: 'string', format: 'date-time' }),
      },
    }),
    delivery: {
      type: 'object',
      properties: {
        state: { type: 'string' },
        attempts: { type: 'integer' },
        deliveredAt: nullable({ type: 'string', format: 'date-time' }),
        destination: nullable({ type: 'string' }),
        messageId: nullable({ type: 'string' }),
        failedReason: nullable({ type: 'string' }),
      },
    },
    files: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          fileName: { type: 'string' },
          bytes: { type: 'integer' },
          contentType: { type: 'string' },
          url: { type: 'string' },
        },
      },
    },
    summary: summarySchema,
  },
} as const;

const reportSummarySchema = {
  type: 'object',
  nullable: true,
  properties: {
    runId: { type: 'string' },
    collectedAt: { type: 'string', format: 'date-time' },
    os: nullable({ type: 'string' }),
    kernel: nullable({ type: 'string' }),
    cpuCount: nullable({ type: 'integer' }),
    uptimeSeconds: nullable({ type: 'number' }),
    load1: nullable({ type: 'number' }),
    cpuUsedPercent: nullable({ type: 'number' }),
    memoryUsedPercent: nullable({ type: 'number' }),
    fullestFilesystem: nullable({
      type: 'object',
      properties: { mount: { type: 'string' }, usedPercent: { type: 'number' } },
    }),
    failedLogins: { type: 'integer' },
    acceptedLogins: { type: 'integer' },
    failedUnits: nullable({ type: 'integer' }),
    securityFindings: {
      type: 'object',
      properties: { critical: { type: 'integer' }, warning: { type: 'integer' } },
    },
    problems: { type: 'integer' },
    sshLatencyMs: nullable({ type: 'number' }),
  },
} as const;

export const hostSchema = {
  $id: 'Host',
  type: 'object',
  properties: {
    name: { type: 'string' },
    address: { type: 'string' },
    groups: { type: 'array', items: { type: 'string' } },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    state: {
      type: 'string',
      enum: ['reported', 'failed', 'never_collected'],
      description: "The outcome of the host's last collect attempt",
    },
    lastAttemptAt: nullable({ type: 'string', format: 'date-time' }),
    lastRunId: nullable({ type: 'string' }),
    failure: nullable({
      type: 'object',
      properties: {
        reason: { type: 'string' },
        kind: { type: 'string' },
        final: { type: 'boolean', description: 'false: the run retries the host' },
      },
    }),
    lastReport: reportSummarySchema,
  },
} as const;

export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
} as const;

export const pageProperties = {
  total: { type: 'integer' },
  limit: { type: 'integer' },
  offset: { type: 'integer' },
  next: nullable({ type: 'string', description: 'The next page, or null on the last' }),
} as const;

export const sharedSchemas = [runSpecSchema, runListItemSchema, hostProgressSchema, runDetailSchema, hostSchema];
