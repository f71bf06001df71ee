/**
 * Errors that carry a stable code. Callers branch on the code (never on message text), and the
 * code alone decides the HTTP status and the CLI exit status, in the one table below.
 */
export const errorCodes = {
  /** The configuration file is invalid; `problems` lists each one with its key path. */
  CONFIG_INVALID: { httpStatus: 500, exitCode: 2 },
  /** A request or a command line asked for something that cannot be: unknown host, bad date. */
  INVALID_REQUEST: { httpStatus: 400, exitCode: 2 },
  /** No credentials, or wrong ones. */
  UNAUTHENTICATED: { httpStatus: 401, exitCode: 1 },
  /** Credentials that do not allow this action. */
  FORBIDDEN: { httpStatus: 403, exitCode: 1 },
  NOT_FOUND: { httpStatus: 404, exitCode: 1 },
  /** Existed once and was removed on purpose (an expired report file). */
  GONE: { httpStatus: 410, exitCode: 1 },
  /** Too many requests from one client in the window. */
  RATE_LIMITED: { httpStatus: 429, exitCode: 1 },
  /** The thing to create exists already (a file `init` would overwrite). */
  ALREADY_EXISTS: { httpStatus: 409, exitCode: 1 },
  /** A service this needs (Redis, InfluxDB) is not configured or not reachable. */
  DEPENDENCY_UNAVAILABLE: { httpStatus: 503, exitCode: 3 },
  /** Anything else: a defect or an unexpected failure. */
  INTERNAL: { httpStatus: 500, exitCode: 1 },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class InfraReportError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'InfraReportError';
  }
}

export class InvalidRequestError extends InfraReportError {
  constructor(message: string, options?: ErrorOptions) {
    super('INVALID_REQUEST', message, options);
    this.name = 'InvalidRequestError';
  }
}

export class UnauthenticatedError extends InfraReportError {
  constructor(message: string) {
    super('UNAUTHENTICATED', message);
    this.name = 'UnauthenticatedError';
  }
}

export class ForbiddenError extends InfraReportError {
  constructor(message: string) {
    super('FORBIDDEN', message);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends InfraReportError {
  constructor(message: string) {
    super('NOT_FOUND', message);
    this.name = 'NotFoundError';
  }
}

export class GoneError extends InfraReportError {
  constructor(message: string) {
    super('GONE', message);
    this.name = 'GoneError';
  }
}

export class AlreadyExistsError extends InfraReportError {
  constructor(message: string) {
    super('ALREADY_EXISTS', message);
    this.name = 'AlreadyExistsError';
  }
}

export class DependencyUnavailableError extends InfraReportError {
  constructor(message: string, options?: ErrorOptions) {
    super('DEPENDENCY_UNAVAILABLE', message, options);
    this.name = 'DependencyUnavailableError';
  }
}

/** The code of any thrown value: ours carry one, everything else is INTERNAL. */
export function errorCodeOf(error: unknown): ErrorCode {
  return error instanceof InfraReportError ? error.code : 'INTERNAL';
}

export function httpStatusFor(error: unknown): number {
  return errorCodes[errorCodeOf(error)].httpStatus;
}

export function exitCodeFor(error: unknown): number {
  return errorCodes[errorCodeOf(error)].exitCode;
}
