import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectJobId, enqueueRun, parseConfig } from '@infra-report/shared';
import {
  fleetConfigYaml,
  knownHostsWith,
  startHostileHost,
  startService,
  testServices,
  uniqueName,
  type HostileBehaviour,
  type HostileHost,
  type ServiceProcess,
} from '@infra-report/testkit';

/** The collector service as its own process: broken hosts fail their jobs, the process lives on. */
describe('a collector worker beside hosts that misbehave', () => {
  const services = testServices();
  const prefix = uniqueName('ir-hostile');
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-worker-hostile-'));
  const configFile = path.join(dir, 'config.yaml');
  const redis = new Redis(services.redisUrl, { maxRetriesPerRequest: null });
  const behaviours: HostileBehaviour[] = ['silent', 'close-after-banner', 'reset-mid-output', 'exec-never-answers'];
  const hostile: HostileHost[] = [];
  let collector: ServiceProcess;

  beforeAll(async () => {
    for (const behaviour of behaviours) hostile.push(await startHostileHost(behaviour));
    const knownHosts = knownHostsWith(
      dir,
      hostile.map((h) => h.knownHostsLine),
    );
    const yaml = fleetConfigYaml(
      [
        { index: 1, knownHostsFile: knownHosts },
        ...hostile.map((h) => ({
          index: 0,
          name: h.behaviour,
          address: h.address,
          port: h.port,
          knownHostsFile: knownHosts,
        })),
      ],
      [`redis: { url: "${services.redisUrl}", prefix: ${prefix} }`, 'collector: { attempts: 1 }'].join('\n'),
    ).replace(/connect_timeout_seconds: 5/, 'connect_timeout_seconds: 2');
    writeFileSync(configFile, yaml);
    collector = await startService('collector', configFile);
  });

  afterAll(async () => {
    await collector.stop().catch(() => undefined);
    await Promise.all(hostile.map((h) => h.close()));
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('fails each broken host with its reason, collects the healthy one, and keeps running', async () => {
    const config = parseConfig(readFileSync(configFile, 'utf8'), configFile, { env: { HOME: '/root' } });
    const { run } = await enqueueRun(config, redis, {}, new Date());
    const collect = new Queue('collect', { connection: redis, prefix });
    const states = async () =>
      Promise.all(
        ['host1', ...behaviours].map(async (name) => {
          const job = await collect.getJob(collectJobId(run.runId, name));
          return { name, state: await job?.getState(), reason: job?.failedReason };
        }),
      );
    const deadline = Date.now() + 45_000;
    let seen = await states();
    while (seen.some((s) => s.state !== 'completed' && s.state !== 'failed') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      seen = await states();
    }
    await collect.close();
    expect(seen.find((s) => s.name === 'host1')?.state).toBe('completed');
    const failed = Object.fromEntries(seen.filter((s) => s.name !== 'host1').map((s) => [s.name, s]));
    expect(failed['silent']).toMatchObject({ state: 'failed', reason: expect.stringMatching(/no SSH banner/) });
    expect(failed['close-after-banner']).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/closed the connection during the SSH handshake/),
    });
    expect(failed['reset-mid-output']).toMatchObject({ state: 'failed', reason: expect.stringMatching(/lost while/) });
    expect(failed['exec-never-answers']).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/did not open a command channel/),
    });
    expect(collector.child.exitCode).toBeNull();
    expect(collector.output()).not.toMatch(/Unhandled|uncaught/i);
  }, 60_000);
});
