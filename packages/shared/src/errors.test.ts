import { describe, expect, it } from 'vitest';
import { ConfigError } from './config/load.js';
import {
  AlreadyExistsError,
  DependencyUnavailableError,
  errorCodeOf,
  exitCodeFor,
  GoneError,
  httpStatusFor,
  InvalidRequestError,
  NotFoundError,
  UnauthenticatedError,
} from './errors.js';
import { isCalendarDate, planRun } from './run.js';
import { parseConfig } from './config/load.js';

describe('error codes', () => {
  it('map each kind to one HTTP status and one exit status, whatever the message says', () => {
    const cases: [Error, string, number, number][] = [
      [new InvalidRequestError('anything'), 'INVALID_REQUEST', 400, 2],
      [new UnauthenticatedError('not found at all'), 'UNAUTHENTICATED', 401, 1],
      [new NotFoundError('unknown host'), 'NOT_FOUND', 404, 1],
      [new GoneError('expired'), 'GONE', 410, 1],
      [new AlreadyExistsError('x exists'), 'ALREADY_EXISTS', 409, 1],
      [new DependencyUnavailableError('redis'), 'DEPENDENCY_UNAVAILABLE', 503, 3],
      [new ConfigError('x.yaml', ['hosts[0].port: too big']), 'CONFIG_INVALID', 500, 2],
      [new Error('unknown host: looks like a 400 but is not ours'), 'INTERNAL', 500, 1],
    ];
    for (const [error, code, status, exit] of cases) {
      expect([errorCodeOf(error), httpStatusFor(error), exitCodeFor(error)]).toEqual([code, status, exit]);
    }
  });

  it('refuses run dates that are not calendar days, and says so with INVALID_REQUEST', () => {
    expect(isCalendarDate('2026-02-28')).toBe(true);
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-02-30')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('26-02-01')).toBe(false);
    const config = parseConfig('hosts: [{ name: a, address: 127.0.0.1 }]\n', 't.yaml', { env: {} });
    expect(() => planRun(config, {}, new Date(), '2026-02-30')).toThrow(InvalidRequestError);
    expect(() => planRun(config, { hosts: ['nope'] }, new Date())).toThrow(/unknown host: nope/);
  });
});
