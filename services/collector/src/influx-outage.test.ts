import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFilePointBuffer,
  createInfluxStore,
  createRedisPointBuffer,
  ensureInfluxV1Database,
  planRun,
  silentLogger,
  withPointBuffer,
} from '@infra-report/shared';
import {
  fleetConfig,
  fleetHost,
  startPrivateInflux,
  testServices,
  uniqueName,
  type PrivateInflux,
} from '@infra-report/testkit';
import { collectHost } from './collect-host.js';
import { createRunnerFactory } from './open-runner.js';

/** influxd stopped during a collection: the points wait (bounded) and are written when it is back. */
describe('collection while InfluxDB is down', () => {
  let influxd: PrivateInflux;
  beforeAll(async () => {
    influxd = await startPrivateInflux();
  }, 30_000);
  afterAll(async () => {
    await influxd.stop();
  });

  it('keeps the points of a collection InfluxDB refused, and writes them with the next one', async () => {
    const settings = {
      url: influxd.url,
      api: 'v1' as const,
      org: '',
      bucket: 'outage',
      token: undefined,
      username: undefined,
      password: undefined,
      timeout_seconds: 3,
      buffer_max_batches: 100,
    };
    await ensureInfluxV1Database(settings);
    const buffer = createFilePointBuffer(mkdtempSync(path.join(tmpdir(), 'ir-buffer-')), 100);
    const influx = withPointBuffer(createInfluxStore(settings), buffer, silentLogger());
    const config = fleetConfig([{ index: 1 }, { index: 2 }]);
    const { spec } = planRun(config, {}, new Date());
    const deps = { openRunner: createRunnerFactory('/root'), influx, now: () => new Date(), logger: silentLogger() };

    await influxd.stop();
    const during = await collectHost(fleetHost(config, 'host1'), spec, deps);
    expect(during.problems).toContainEqual({
      probe: 'influx',
      message: expect.stringMatching(
        /points not stored: InfluxDB refused or did not answer .* \d+ points kept, written when it is back/,
      ),
    });
    expect(await buffer.size()).toBe(1);

    await influxd.start();
    const after = await collectHost(fleetHost(config, 'host2'), spec, deps);
    expect(after.problems.filter((p) => p.probe === 'influx')).toEqual([]);
    expect(await buffer.size()).toBe(0);
    const rows = await createInfluxStore(settings).query('SELECT count("uptime") FROM "system" GROUP BY "host"');
    expect(rows.map((r) => r.tags['host']).sort()).toEqual(['host1', 'host2']);
  }, 60_000);

  it('drops the oldest past its bound and counts the dropped points (Redis buffer)', async () => {
    const redis = new Redis(testServices().redisUrl);
    try {
      const buffer = createRedisPointBuffer(redis, uniqueName('ir-buffer'), 2);
      await buffer.push(['a v=1 1', 'a v=2 2']);
      await buffer.push(['b v=1 1']);
      await buffer.push(['c v=1 1']);
      expect(await buffer.size()).toBe(2);
      expect(await buffer.dropped()).toBe(2);
      expect(await buffer.peek()).toEqual(['b v=1 1']);
    } finally {
      await redis.quit();
    }
  });
});
