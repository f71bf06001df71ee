import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  startPrivateRedis,
  startService,
  type PrivateRedis,
  type ServiceProcess,
} from '@infra-report/testkit';

/**
 * The probes Kubernetes and compose use on the workers (GET /healthz, /readyz on the metrics
 * port): a Redis outage makes a worker unready within a second, never "dead" (no restart storm).
 */
describe('worker probes', () => {
  let redis: PrivateRedis;
  const running: { service: ServiceProcess; port: number }[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis({ aof: true });
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-probes-'));
    const configFile = path.join(dir, 'config.yaml');
    writeFileSync(configFile, `redis: { url: "${redis.url}" }\nhosts:\n  - { name: h1, address: 192.0.2.1 }\n`);
    for (const name of ['collector', 'renderer', 'mailer']) {
      const port = await freePort();
      running.push({ service: await startService(name, configFile, { METRICS_PORT: String(port) }), port });
    }
  });
  afterAll(async () => {
    await Promise.all(running.map(({ service }) => service.stop().catch(() => undefined)));
    await redis.stop();
  });

  const probe = async (port: number, route: string) => {
    const started = Date.now();
    const response = await fetch(`http://127.0.0.1:${port}${route}`);
    return { status: response.status, ms: Date.now() - started };
  };

  it('are live and ready with Redis up; unready (fast) but live with Redis down; ready again after', async () => {
    for (const { port } of running) {
      expect((await probe(port, '/healthz')).status).toBe(200);
      expect((await probe(port, '/readyz')).status).toBe(200);
    }
    await redis.kill9();
    for (const { port } of running) {
      const ready = await probe(port, '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(1500);
      expect((await probe(port, '/healthz')).status).toBe(200);
    }
    await redis.restart();
    for (const { port } of running) {
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        status = (await probe(port, '/readyz')).status;
      }
      expect(status).toBe(200);
    }
    // The metrics stay on the same port.
    const metrics = await fetch(`http://127.0.0.1:${running[0]!.port}/metrics`);
    expect(await metrics.text()).toContain('infra_report_jobs_total');
  });
});
