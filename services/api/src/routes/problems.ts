import { errorCodes, type ErrorCode } from '@infra-report/shared';
import { problemContentType } from '../problem.js';

/** The error responses a route documents, each an application/problem+json Problem. */
export function problemResponses(...codes: ErrorCode[]): Record<number, unknown> {
  const responses: Record<number, unknown> = {};
  for (const code of codes) {
    const status = errorCodes[code].httpStatus;
    responses[status] = {
      description: code,
      content: { [problemContentType]: { schema: { $ref: 'Problem#' } } },
    };
  }
  return responses;
}

/** What every authenticated route may answer besides its own errors. */
export const authProblems: ErrorCode[] = ['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', 'INVALID_REQUEST'];
