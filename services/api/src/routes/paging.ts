import type { FastifyRequest } from 'fastify';

/** One page of a list, with the link to the next page (the same query, offset moved on). */
export function page<T>(request: FastifyRequest, items: T[], limit: number, offset: number) {
  const nextOffset = offset + limit;
  let next: string | null = null;
  if (nextOffset < items.length) {
    const url = new URL(request.url, 'http://localhost');
    url.searchParams.set('offset', String(nextOffset));
    url.searchParams.set('limit', String(limit));
    next = `${url.pathname}${url.search}`;
  }
  return { items: items.slice(offset, nextOffset), total: items.length, limit, offset, next };
}
