import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorCodeOf, errorCodes, httpStatusFor, InfraReportError, type ErrorCode } from '@infra-report/shared';

/** RFC 9457 problem details; `code` is the stable error code a client branches on. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance: string;
  requestId: string;
}

const titles: Record<ErrorCode, string> = {
  CONFIG_INVALID: 'Configuration invalid',
  INVALID_REQUEST: 'Invalid request',
  UNAUTHENTICATED: 'Unauthenticated',
  FORBIDDEN: 'Forbidden',
  NOT_FOUND: 'Not found',
  GONE: 'Gone',
  RATE_LIMITED: 'Too many requests',
  ALREADY_EXISTS: 'Already exists',
  DEPENDENCY_UNAVAILABLE: 'Dependency unavailable',
  INTERNAL: 'Internal error',
};

export const problemContentType = 'application/problem+json';

export function problemTypeFor(code: ErrorCode): string {
  return `urn:infra-report:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  detail: string,
  status: number = errorCodes[code].httpStatus,
): FastifyReply {
  const problem: Problem = {
    type: problemTypeFor(code),
    title: titles[code],
    status,
    detail,
    code,
    instance: request.url.split('?')[0] ?? request.url,
    requestId: String(request.id),
  };
  return reply.status(status).type(problemContentType).send(problem);
}

/**
 * The code comes from the error's class (errors.ts), or from Fastify for its own errors (schema
 * validation, a body too large, the rate limit); never from the wording of a message.
 */
export function problemErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof InfraReportError) {
    if (httpStatusFor(error) >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, errorCodeOf(error), error.message);
  }
  const status = error.validation ? 400 : (error.statusCode ?? 500);
  if (status === 429) return sendProblem(request, reply, 'RATE_LIMITED', error.message, 429);
  if (status < 500) return sendProblem(request, reply, 'INVALID_REQUEST', error.message, status);
  request.log.error({ err: error }, 'request failed');
  // Our own defects are not described to the caller: the log has them, under the request id.
  return sendProblem(request, reply, 'INTERNAL', 'internal error', 500);
}

/** The JSON schema of a problem, for every route's error responses. */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details (application/problem+json)',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', enum: Object.keys(errorCodes) },
    instance: { type: 'string' },
    requestId: { type: 'string' },
  },
} as const;
