import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedisArtifactStore, parseConfig } from '@infra-report/shared';
import { startPrivateRedis, testServices, uniqueName } from '@infra-report/testkit';
import { buildApp } from './app.js';

const services = testServices();
const redis = new Redis(services.redisUrl, { maxRetriesPerRequest: null });

describe('API', () => {
  let prefix: string;
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeEach(async () => {
    prefix = uniqueName('ir-api');
    const config = parseConfig(
      `redis: { url: "${services.redisUrl}", prefix: ${prefix} }\napi: { tokens: [secret-token] }\nhosts:\n  - { name: web01, groups: [web] }\n  - { name: db01, groups: [db] }\n`,
      'api.yaml',
      { env: {} },
    );
    app = await buildApp({
      config,
      redis,
      artifacts: createRedisArtifactStore(redis, prefix, 3600),
      now: () => new Date('2026-11-22T06:00:00Z'),
    });
  });

  afterEach(async () => {
    await app.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  });
  afterAll(async () => redis.quit());

  const auth = { authorization: 'Bearer secret-token' };

  it('should refuse /v1 requests without a valid bearer token', async () => {
    expect((await app.inject({ method: 'POST', url: '/v1/reports', payload: {} })).statusCode).toBe(401);
    const wrong = await app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: {},
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: 'missing or invalid bearer token', code: 'UNAUTHENTICATED' });
  });

  it('limits each client to 100 requests a minute, failed authentications included', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 300; i += 1) {
      const response = await app.inject({
        method: 'GET',
        url: '/v1/runs/x',
        headers: { authorization: 'Bearer nope' },
      });
      codes.push(response.statusCode);
    }
    expect(codes.slice(0, 100).every((code) => code === 401)).toBe(true);
    expect(codes.slice(100).every((code) => code === 429)).toBe(true);
    const limited = await app.inject({ method: 'GET', url: '/v1/runs/x', headers: auth });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED' });
    // Probes and scrapes are not limited.
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });

  it('should enqueue a run once, and answer the same run id the second time', async () => {
    const first = await app.inject({ method: 'POST', url: '/v1/reports', payload: { groups: ['web'] }, headers: auth });
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({ runId: '2026-11-22_group-web', created: true, state: 'waiting-children', hosts: 1 });
    const second = await app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: { groups: ['web'] },
      headers: auth,
    });
    expect(second.json()).toMatchObject({ runId: '2026-11-22_group-web', created: false });
    const status = await app.inject({ method: 'GET', url: '/v1/runs/2026-11-22_group-web', headers: auth });
    expect(status.json()).toMatchObject({
      state: 'waiting-children',
      collect: { unprocessed: 1 },
      files: [],
      overdue: false,
      deadline: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
  });

  it('should reject bad requests with a clear message', async () => {
    const badDate = await app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: { date: '22/11/2026' },
      headers: auth,
    });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json().error).toMatch(/date/);
    const impossibleDate = await app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: { date: '2026-02-30' },
      headers: auth,
    });
    expect(impossibleDate.statusCode).toBe(400);
    expect(impossibleDate.json()).toMatchObject({
      code: 'INVALID_REQUEST',
      error: expect.stringMatching(/2026-02-30/),
    });
    const unknownHost = await app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: { hosts: ['nosuchhost'] },
      headers: auth,
    });
    expect(unknownHost.statusCode).toBe(400);
    expect(unknownHost.json()).toEqual({ error: 'unknown host: nosuchhost', code: 'INVALID_REQUEST' });
    const extra = await app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: { hosts: ['web01'], sudo: true },
      headers: auth,
    });
    expect(extra.statusCode).toBe(400);
    const traversal = await app.inject({ method: 'GET', url: '/v1/runs/..%2F..%2Fetc/files/passwd', headers: auth });
    expect(traversal.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/v1/runs/2020-01-01_all', headers: auth })).statusCode).toBe(404);
  });

  it('should serve health and Prometheus metrics without a token', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
    await app.inject({ method: 'POST', url: '/v1/reports', payload: {}, headers: auth });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('infra_report_queue_jobs{queue="collect",state="waiting"} 2');
    expect(metrics.body).toContain('infra_report_queue_jobs{queue="deliver",state="waiting-children"} 1');
  });

  it('stays alive but not ready while Redis is down, and says so within a second', async () => {
    const own = await startPrivateRedis({ aof: false });
    const client = new Redis(own.url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined); // refused while it is down: the point of the test
    const config = parseConfig(`redis: { url: "${own.url}" }\napi: { tokens: [t] }\n`, 'api.yaml', { env: {} });
    const down = await buildApp({ config, redis: client, artifacts: createRedisArtifactStore(client, 'x', 60) });
    try {
      expect((await down.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      await own.kill9();
      const started = Date.now();
      const readiness = await down.inject({ method: 'GET', url: '/readyz' });
      expect(readiness.statusCode).toBe(503);
      expect(readiness.json()).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(1500);
      expect((await down.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      await own.restart();
      await new Promise((resolve) => setTimeout(resolve, 1500)); // ioredis reconnects
      expect((await down.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    } finally {
      await down.close().catch(() => undefined);
      client.disconnect();
      await own.stop();
    }
  });
});
