import { Writable } from 'node:stream';
import SwaggerParser from '@apidevtools/swagger-parser';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  createRedisArtifactStore,
  createRedisHostStatusStore,
  parseConfig,
  queueNames,
  withFailureKind,
  type ArtifactStore,
  type CollectJobData,
  type HostSnapshot,
  type RenderJobData,
  type RenderResult,
} from '@infra-report/shared';
import { sampleSnapshot, startPrivateRedis, testServices, uniqueName } from '@infra-report/testkit';
import { buildApp } from './app.js';

const services = testServices();
const redis = new Redis(services.redisUrl, { maxRetriesPerRequest: null });
const problemType = 'application/problem+json; charset=utf-8';

describe('API', () => {
  let prefix: string;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let artifacts: ArtifactStore;
  let logLines: string[];

  beforeEach(async () => {
    prefix = uniqueName('ir-api');
    const config = parseConfig(
      [
        `redis: { url: "${services.redisUrl}", prefix: ${prefix} }`,
        'api:',
        '  tokens:',
        '    - secret-token',
        '    - { token: reader-token, scopes: [read], name: dashboards }',
        '    - { token: trigger-token, scopes: [trigger], name: cron }',
        'hosts:',
        '  - { name: web01, address: 192.0.2.1, groups: [web] }',
        '  - { name: web02, address: 192.0.2.2, groups: [web] }',
        '  - { name: db01, address: 192.0.2.3, groups: [db] }',
      ].join('\n'),
      'api.yaml',
      { env: {} },
    );
    artifacts = createRedisArtifactStore(redis, prefix, 3600);
    logLines = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    app = await buildApp({
      config,
      redis,
      artifacts,
      now: () => new Date('2026-11-22T06:00:00Z'),
      logger: createLogger('api', 'info', sink),
    });
  });

  afterEach(async () => {
    await app.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  });
  afterAll(async () => redis.quit());

  const auth = { authorization: 'Bearer secret-token' };
  const reader = { authorization: 'Bearer reader-token' };
  const triggerer = { authorization: 'Bearer trigger-token' };

  it('refuses /v1 without a valid token, and a token without the scope, as problem+json', async () => {
    const none = await app.inject({ method: 'POST', url: '/v1/reports', payload: {} });
    expect(none.statusCode).toBe(401);
    expect(none.headers['content-type']).toBe(problemType);
    const wrong = await app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: {},
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({
      type: 'urn:infra-report:problem:unauthenticated',
      title: 'Unauthenticated',
      status: 401,
      detail: 'missing or invalid bearer token',
      code: 'UNAUTHENTICATED',
      instance: '/v1/reports',
    });
    // A read token may look but not trigger; a trigger token may trigger but not look.
    const readerPost = await app.inject({ method: 'POST', url: '/v1/reports', payload: {}, headers: reader });
    expect(readerPost.statusCode).toBe(403);
    expect(readerPost.json()).toMatchObject({
      code: 'FORBIDDEN',
      detail: 'token "dashboards" does not have the trigger scope',
    });
    expect((await app.inject({ method: 'GET', url: '/v1/runs', headers: reader })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/hosts', headers: triggerer })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/v1/reports', payload: {}, headers: triggerer })).statusCode).toBe(
      202,
    );
    // A token written without scopes keeps doing both.
    expect((await app.inject({ method: 'GET', url: '/v1/hosts', headers: auth })).statusCode).toBe(200);
    // Who did what is logged by the token's name, never the token.
    expect(logLines.join('\n')).toContain('"client":"cron"');
    expect(logLines.join('\n')).not.toContain('trigger-token');
  });

  it('silences alerts: created with the silence scope, listed, ended; bad durations and unknown ids are problems', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/silences',
      headers: auth,
      payload: { host: 'web*', rule: 'disk', subject: '/var', for: '4h', comment: 'resizing /var' },
    });
    expect(created.statusCode).toBe(201);
    const silence = created.json() as { id: string; endsAt: string; createdBy: string; active: boolean };
    expect(silence).toMatchObject({
      host: 'web*',
      rule: 'disk',
      subject: '/var',
      startsAt: '2026-11-22T06:00:00.000Z',
      endsAt: '2026-11-22T10:00:00.000Z',
      createdBy: 'token 1',
      active: true,
    });
    // A read token lists them but may not silence.
    const listed = await app.inject({ method: 'GET', url: '/v1/silences', headers: reader });
    expect((listed.json() as { silences: { id: string }[] }).silences.map((s) => s.id)).toEqual([silence.id]);
    const forbidden = await app.inject({
      method: 'POST',
      url: '/v1/silences',
      headers: reader,
      payload: { host: 'db01', for: '1h' },
    });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ detail: 'token "dashboards" does not have the silence scope' });
    for (const payload of [
      { host: 'db01', for: 'forever' },
      { host: 'db01', for: '200d' },
      { host: 'db01', rule: 'dsik', for: '1h' },
      { host: 'db 01; rm', for: '1h' },
    ]) {
      const bad = await app.inject({ method: 'POST', url: '/v1/silences', headers: auth, payload });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toBe(problemType);
    }
    const ended = await app.inject({ method: 'DELETE', url: `/v1/silences/${silence.id}`, headers: auth });
    expect(ended.statusCode).toBe(204);
    const after = await app.inject({ method: 'GET', url: '/v1/silences', headers: auth });
    expect(after.json()).toMatchObject({ silences: [{ id: silence.id, active: false }] });
    const unknown = await app.inject({
      method: 'DELETE',
      url: '/v1/silences/00000000-0000-4000-8000-000000000000',
      headers: auth,
    });
    expect(unknown.statusCode).toBe(404);
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
    expect(limited.headers['content-type']).toBe(problemType);
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    // Probes and scrapes are not limited.
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });

  it('enqueues a run once, answers the same run id the second time, and lists runs by date and state', async () => {
    const first = await app.inject({ method: 'POST', url: '/v1/reports', payload: { groups: ['web'] }, headers: auth });
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({
      runId: '2026-11-22_group-web',
      created: true,
      state: 'waiting-children',
      hosts: 2,
      url: '/v1/runs/2026-11-22_group-web',
    });
    const second = await app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: { groups: ['web'] },
      headers: auth,
    });
    expect(second.json()).toMatchObject({ runId: '2026-11-22_group-web', created: false });
    await app.inject({ method: 'POST', url: '/v1/reports', payload: { date: '2026-11-20' }, headers: auth });
    await app.inject({ method: 'POST', url: '/v1/reports', payload: { date: '2026-11-21' }, headers: auth });

    const all = await app.inject({ method: 'GET', url: '/v1/runs', headers: reader });
    expect(all.json()).toMatchObject({ total: 3, next: null });
    expect((all.json() as { runs: { runId: string }[] }).runs.map((r) => r.runId).sort()).toEqual([
      '2026-11-20_all',
      '2026-11-21_all',
      '2026-11-22_group-web',
    ]);
    const byDate = await app.inject({ method: 'GET', url: '/v1/runs?date=2026-11-21', headers: reader });
    expect(byDate.json()).toMatchObject({
      total: 1,
      runs: [{ runId: '2026-11-21_all', state: 'collecting', hosts: 3, url: '/v1/runs/2026-11-21_all' }],
    });
    expect(
      (await app.inject({ method: 'GET', url: '/v1/runs?state=delivered', headers: reader })).json(),
    ).toMatchObject({ total: 0, runs: [] });
    // Pages: limit and offset, and the link to the next page.
    const page1 = await app.inject({ method: 'GET', url: '/v1/runs?state=collecting&limit=2', headers: reader });
    expect(page1.json()).toMatchObject({
      total: 3,
      limit: 2,
      offset: 0,
      next: '/v1/runs?state=collecting&limit=2&offset=2',
    });
    const page2 = await app.inject({ method: 'GET', url: (page1.json() as { next: string }).next, headers: reader });
    expect(page2.json()).toMatchObject({ total: 3, offset: 2, next: null });
    expect((page2.json() as { runs: unknown[] }).runs).toHaveLength(1);

    const status = await app.inject({ method: 'GET', url: '/v1/runs/2026-11-22_group-web', headers: auth });
    expect(status.json()).toMatchObject({
      state: 'collecting',
      progress: { total: 2, reported: 0, failed: 0, pending: 2 },
      hosts: [
        { name: 'web01', address: '192.0.2.1', state: 'waiting', attempts: 0 },
        { name: 'web02', address: '192.0.2.2', state: 'waiting', attempts: 0 },
      ],
      files: [],
      overdue: false,
      deadline: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      delivery: { state: 'waiting-children', deliveredAt: null },
    });
  });

  it('follows a run host by host through collection, rendering and delivery, and serves its files byte for byte', async () => {
    await app.inject({ method: 'POST', url: '/v1/reports', payload: {}, headers: auth });
    const runId = '2026-11-22_all';
    const hostStatus = createRedisHostStatusStore(redis, prefix);
    // Real BullMQ workers stand in for the collector, renderer and mailer services.
    const collector = new Worker<CollectJobData, HostSnapshot>(
      queueNames.collect,
      async (job: Job<CollectJobData>) => {
        if (job.data.hostName === 'db01') {
          const error = withFailureKind(
            new UnrecoverableError('connection refused by 192.0.2.3:22 (host db01)'),
            'refused',
          );
          await hostStatus.failed('db01', runId, { reason: error.message, kind: 'refused', final: true }, new Date());
          throw error;
        }
        const snapshot = sampleSnapshot(job.data.hostName);
        await hostStatus.reported(snapshot, runId, new Date());
        return snapshot;
      },
      { connection: redis, prefix },
    );
    const pdf = Buffer.from('%PDF-1.7 not really a pdf, but bytes with \x00 and \xff in them', 'latin1');
    const renderer = new Worker<RenderJobData, RenderResult>(
      queueNames.render,
      async (job) => {
        const key = `${runId}/report.pdf`;
        await artifacts.put(key, pdf);
        return {
          run: job.data.run,
          artifacts: [{ fileName: 'report.pdf', contentType: 'application/pdf', bytes: pdf.length, key }],
          summary: { hostsTotal: 3, hostsReporting: 2, hostsUnreachable: 1, attention: [] },
        };
      },
      { connection: redis, prefix },
    );
    const mailer = new Worker(
      queueNames.deliver,
      async () => ({
        runId,
        deliveredAt: '2026-11-22T07:05:00.000Z',
        messageId: '<m@x>',
        destination: 'ops@example.com',
      }),
      { connection: redis, prefix },
    );
    try {
      let body: Record<string, unknown> = {};
      for (let i = 0; i < 100 && body['state'] !== 'delivered'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        body = (await app.inject({ method: 'GET', url: `/v1/runs/${runId}`, headers: reader })).json();
      }
      expect(body).toMatchObject({
        state: 'delivered',
        progress: { total: 3, reported: 2, failed: 1, pending: 0 },
        render: { state: 'completed', failedReason: null },
        delivery: { state: 'completed', deliveredAt: '2026-11-22T07:05:00.000Z', destination: 'ops@example.com' },
        summary: { hostsReporting: 2, hostsUnreachable: 1 },
      });
      expect(body['hosts']).toEqual([
        expect.objectContaining({ name: 'web01', state: 'reported', attempts: 1, reason: null }),
        expect.objectContaining({ name: 'web02', state: 'reported', attempts: 1, reason: null }),
        expect.objectContaining({
          name: 'db01',
          state: 'failed',
          reason: 'connection refused by 192.0.2.3:22 (host db01)',
          kind: 'refused',
        }),
      ]);
      const files = body['files'] as { url: string; bytes: number }[];
      expect(files).toEqual([
        {
          fileName: 'report.pdf',
          bytes: pdf.length,
          contentType: 'application/pdf',
          url: `/v1/runs/${runId}/files/report.pdf`,
        },
      ]);
      const download = await app.inject({ method: 'GET', url: files[0]!.url, headers: reader });
      expect(download.statusCode).toBe(200);
      expect(download.headers['content-type']).toBe('application/pdf');
      expect(download.rawPayload.equals(pdf)).toBe(true);
      expect(download.rawPayload.equals((await artifacts.get(`${runId}/report.pdf`)) ?? Buffer.alloc(0))).toBe(true);
      const missing = await app.inject({ method: 'GET', url: `/v1/runs/${runId}/files/other.pdf`, headers: reader });
      expect(missing.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      // Expired from the store: gone, not an error of ours.
      await redis.del(...(await redis.keys(`${prefix}:artifact:*`)));
      expect((await app.inject({ method: 'GET', url: files[0]!.url, headers: reader })).json()).toMatchObject({
        status: 410,
        code: 'GONE',
      });
      const delivered = await app.inject({ method: 'GET', url: '/v1/runs?state=delivered', headers: reader });
      expect(delivered.json()).toMatchObject({ total: 1, runs: [{ runId, deliveredAt: '2026-11-22T07:05:00.000Z' }] });
    } finally {
      await Promise.all([collector.close(), renderer.close(), mailer.close()]);
    }
  });

  it("lists the configured hosts with their last collection, and one host's summary", async () => {
    const hostStatus = createRedisHostStatusStore(redis, prefix);
    await hostStatus.reported(sampleSnapshot('web01'), '2026-11-21_all', new Date('2026-11-21T07:00:10Z'));
    await hostStatus.failed(
      'web01',
      '2026-11-22_all',
      { reason: 'timeout connecting to 192.0.2.1:22 (host web01)', kind: 'timeout', final: false },
      new Date('2026-11-22T07:00:10Z'),
    );
    await hostStatus.reported(sampleSnapshot('db01'), '2026-11-22_all', new Date('2026-11-22T07:00:12Z'));

    const list = await app.inject({ method: 'GET', url: '/v1/hosts', headers: reader });
    expect(list.statusCode).toBe(200);
    expect((list.json() as { hosts: { name: string; state: string }[] }).hosts.map((h) => [h.name, h.state])).toEqual([
      ['web01', 'failed'],
      ['web02', 'never_collected'],
      ['db01', 'reported'],
    ]);
    const web = await app.inject({ method: 'GET', url: '/v1/hosts?group=web&state=failed', headers: reader });
    expect(web.json()).toMatchObject({ total: 1, hosts: [{ name: 'web01' }] });

    const one = await app.inject({ method: 'GET', url: '/v1/hosts/web01', headers: reader });
    expect(one.json()).toMatchObject({
      name: 'web01',
      address: '192.0.2.1',
      groups: ['web'],
      state: 'failed',
      lastRunId: '2026-11-22_all',
      failure: { kind: 'timeout', final: false },
      // The last good collection stays visible while the host fails.
      lastReport: {
        runId: '2026-11-21_all',
        os: 'Debian GNU/Linux 12 (bookworm)',
        cpuCount: 4,
        load1: 0.42,
        fullestFilesystem: { mount: expect.any(String), usedPercent: expect.any(Number) },
      },
    });
    // Nothing of the SSH settings leaves the API.
    expect(one.body).not.toMatch(/known_hosts|private_key|"user"|"port"/i);
    const unknown = await app.inject({ method: 'GET', url: '/v1/hosts/nosuch', headers: reader });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'NOT_FOUND', detail: 'no host nosuch in the configuration' });
  });

  it('rejects bad requests with a problem naming what is wrong', async () => {
    const badDate = await app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: { date: '22/11/2026' },
      headers: auth,
    });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.headers['content-type']).toBe(problemType);
    expect(badDate.json()).toMatchObject({ code: 'INVALID_REQUEST', detail: expect.stringMatching(/date/) });
    const impossibleDate = await app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: { date: '2026-02-30' },
      headers: auth,
    });
    expect(impossibleDate.statusCode).toBe(400);
    expect(impossibleDate.json()).toMatchObject({
      code: 'INVALID_REQUEST',
      detail: expect.stringMatching(/2026-02-30/),
    });
    expect(await redis.keys(`${prefix}:*2026-02-30*`)).toEqual([]);
    const listImpossible = await app.inject({ method: 'GET', url: '/v1/runs?date=2026-02-30', headers: auth });
    expect(listImpossible.json()).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    const unknownHost = await app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: { hosts: ['nosuchhost'] },
      headers: auth,
    });
    expect(unknownHost.statusCode).toBe(400);
    expect(unknownHost.json()).toMatchObject({ detail: 'unknown host: nosuchhost', code: 'INVALID_REQUEST' });
    const extra = await app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: { hosts: ['web01'], sudo: true },
      headers: auth,
    });
    expect(extra.statusCode).toBe(400);
    const badQuery = await app.inject({ method: 'GET', url: '/v1/runs?limit=0&state=done', headers: auth });
    expect(badQuery.statusCode).toBe(400);
    const traversal = await app.inject({ method: 'GET', url: '/v1/runs/..%2F..%2Fetc/files/passwd', headers: auth });
    expect(traversal.statusCode).toBe(400);
    const notJson = await app.inject({
      method: 'POST',
      url: '/v1/reports',
      body: '{"date":',
      headers: { ...auth, 'content-type': 'application/json' },
    });
    expect(notJson.json()).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    expect((await app.inject({ method: 'GET', url: '/v1/runs/2020-01-01_all', headers: auth })).json()).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
    });
    const noRoute = await app.inject({ method: 'GET', url: '/v2/anything' });
    expect(noRoute.statusCode).toBe(404);
    expect(noRoute.headers['content-type']).toBe(problemType);
  });

  it('echoes a request id, makes one when none (or a hostile one) is given, and logs it', async () => {
    const given = await app.inject({
      method: 'GET',
      url: '/v1/runs/none',
      headers: { ...auth, 'x-request-id': 'abc-123' },
    });
    expect(given.headers['x-request-id']).toBe('abc-123');
    expect(given.json()).toMatchObject({ requestId: 'abc-123' });
    expect(logLines.some((line) => line.includes('"requestId":"abc-123"'))).toBe(true);
    const hostile = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': '"}\n{"level":60,"msg":"forged' },
    });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const made = await app.inject({ method: 'GET', url: '/healthz' });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // The bearer token never reaches the logs.
    expect(logLines.join('\n')).not.toContain('secret-token');
  });

  it('describes itself: a valid OpenAPI 3 document with every route, and a docs page', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toMatch(/^3\./);
    await SwaggerParser.validate(structuredClone(document) as never);
    expect(Object.keys(document.paths).sort()).toEqual([
      '/healthz',
      '/metrics',
      '/readyz',
      '/v1/hosts',
      '/v1/hosts/{name}',
      '/v1/reports',
      '/v1/runs',
      '/v1/runs/{runId}',
      '/v1/runs/{runId}/files/{fileName}',
      '/v1/silences',
      '/v1/silences/{id}',
    ]);
    const runs = document.paths['/v1/runs/{runId}']!['get'] as { responses: Record<string, unknown> };
    expect(Object.keys(runs.responses).sort()).toEqual(['200', '400', '401', '403', '404', '429']);
    expect(JSON.stringify(runs.responses['404'])).toContain('application/problem+json');
    const docs = await app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui');
  });

  it('serves health and Prometheus metrics without a token', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
    await app.inject({ method: 'POST', url: '/v1/reports', payload: {}, headers: auth });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('infra_report_queue_jobs{queue="collect",state="waiting"} 3');
    expect(metrics.body).toContain('infra_report_queue_jobs{queue="deliver",state="waiting-children"} 1');
    expect(metrics.body).toContain('process_resident_memory_bytes');
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
      expect(readiness.headers['content-type']).toBe(problemType);
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
