import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthenticatedError, type ApiScope, type ApiToken } from '@infra-report/shared';

const clientNames = new WeakMap<FastifyRequest, string>();

/** The name of the token a request authenticated with (for who created a silence). */
export const clientName = (request: FastifyRequest): string => clientNames.get(request) ?? 'api';

/**
 * Bearer token check for one route's scope. Compared in constant time; the token's name (never
 * the token) goes into the request's log lines.
 */
export function bearerAuth(tokens: ApiToken[]) {
  const known = tokens.map((t) => ({ ...t, bytes: Buffer.from(t.token) }));
  return (scope: ApiScope) =>
    async (request: FastifyRequest): Promise<void> => {
      if (known.length === 0)
        throw new UnauthenticatedError('no API tokens are configured (api.tokens or INFRA_REPORT_API_TOKEN)');
      const header = request.headers.authorization;
      const presented =
        typeof header === 'string' && /^Bearer /i.test(header) ? Buffer.from(header.slice(7).trim()) : undefined;
      const match = presented
        ? known.find((t) => t.bytes.length === presented.length && timingSafeEqual(t.bytes, presented))
        : undefined;
      if (!match) throw new UnauthenticatedError('missing or invalid bearer token');
      request.log = request.log.child({ client: match.name });
      clientNames.set(request, match.name);
      if (!match.scopes.includes(scope))
        throw new ForbiddenError(`token "${match.name}" does not have the ${scope} scope`);
    };
}
