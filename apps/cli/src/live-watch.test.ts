import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fleetConfigYaml,
  runCli,
  startNamespacedSshd,
  startService,
  startWebhookServer,
  testServices,
  uniqueName,
  type TestWebhookServer,
  type ZonedSshd,
} from '@infra-report/testkit';

/**
 * Live watch as a user runs it: `infra-report watch` in one process (alert state in the state
 * directory, across restarts), and two collector services with a mailer (state in Redis, alerts
 * through the notify queue), against a real sshd whose load the test sets.
 */
describe('live watch', () => {
  const services = testServices();
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-watch-'));
  const loadFile = path.join(dir, 'loadavg');
  const setLoad = (one: number) => writeFileSync(loadFile, `${one.toFixed(2)} 0.50 0.40 1/300 4242\n`);
  let busy: ZonedSshd;
  let calm: ZonedSshd;
  let hooks: TestWebhookServer;
  const calmLoadFile = path.join(dir, 'calm-loadavg');
  const accepted = () => readFileSync(busy.logFile, 'utf8').split('Accepted publickey').length - 1;

  const configYaml = (extra: string[]) =>
    fleetConfigYaml(
      [
        { index: 0, name: 'busy', address: busy.address, port: busy.port, knownHostsFile: busy.knownHostsFile },
        { index: 0, name: 'calm', address: calm.address, port: calm.port, knownHostsFile: calm.knownHostsFile },
      ],
      [
        // One round at work at a time: connections kept open must not hold it (they did once).
        'collector: { concurrency: 1 }',
        'report:',
        `  state_dir: ${path.join(dir, 'state')}`,
        '  thresholds: { load_per_cpu_warn: 1.5, load_per_cpu_critical: 100, disk_warn_percent: 100, disk_critical_percent: 100, inode_warn_percent: 100,',
        '    memory_warn_percent: 100, cpu_warn_percent: 100, temperature_warn_celsius: 200 }',
        'sample: { interval_seconds: 1 }',
        // Rounds a second apart: no hold, and the grouping in seconds rather than minutes.
        'alerts: { group_wait_seconds: 1, group_interval_seconds: 1, refire_after_seconds: 0, rules: { load: { after_seconds: 0 } } }',
        `notify: { webhooks: [{ kind: mattermost, url: "${hooks.url}/hooks/ops" }] }`,
        ...extra,
      ].join('\n'),
    );

  beforeAll(async () => {
    setLoad(8);
    busy = await startNamespacedSshd('watch-busy', '127.0.0.35', 2231, {
      bindFiles: { '/proc/loadavg': loadFile },
      logLevel: 'INFO',
    });
    writeFileSync(calmLoadFile, '0.10 0.10 0.10 1/300 4242\n');
    calm = await startNamespacedSshd('watch-calm', '127.0.0.36', 2231, {
      bindFiles: { '/proc/loadavg': calmLoadFile },
    });
    hooks = await startWebhookServer();
  });
  afterAll(async () => {
    hooks?.close();
    await busy?.stop();
    await calm?.stop();
  });

  it('infra-report watch alerts once, does not repeat it after a restart, and recovers once', async () => {
    const configFile = path.join(dir, 'watch.yaml');
    writeFileSync(configFile, configYaml([]));
    const first = await runCli(['watch', '--rounds', '3', '-c', configFile]);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/ALERT +busy: load 8 \(/);
    expect(first.stderr).toContain('2 connection(s) opened for 2 host(s)');
    expect(hooks.posts).toHaveLength(1);
    expect(String(hooks.posts[0]?.body['text'])).toMatch(/\*\*\[WARNING\] busy: load 8 /);

    // A restart while the load is still high: the alert is still firing, not sent again.
    const second = await runCli(['watch', '--rounds', '2', '-c', configFile]);
    expect(second.code).toBe(0);
    expect(hooks.posts).toHaveLength(1);

    setLoad(0.1);
    const third = await runCli(['watch', '--rounds', '2', '-c', configFile]);
    expect(third.stderr).toMatch(/RECOVERED busy: load 8 /);
    expect(hooks.posts).toHaveLength(2);
    expect(String(hooks.posts[1]?.body['text'])).toMatch(/\[RECOVERED\] busy: load 8 .*cleared at/s);
    const bad = await runCli(['watch', '--rounds', 'two', '-c', configFile]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--rounds must be a positive whole number');
  });

  it('two collector services sample the host over one connection between them; the mailer delivers the alert once', async () => {
    const redis = new Redis(services.redisUrl);
    const prefix = uniqueName('ir-watch');
    const before = { posts: hooks.posts.length, accepted: accepted() };
    setLoad(8);
    const configFile = path.join(dir, 'services.yaml');
    writeFileSync(configFile, configYaml([`redis: { url: "${services.redisUrl}", prefix: ${prefix} }`]));
    const running = [
      await startService('collector', configFile, { METRICS_PORT: '0' }),
      await startService('collector', configFile, { METRICS_PORT: '0' }),
      await startService('mailer', configFile, { METRICS_PORT: '0' }),
    ];
    try {
      await hooks.waitForPosts(before.posts + 1);
      // A few more rounds: still one alert, still one connection.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(hooks.posts.length).toBe(before.posts + 1);
      expect(String(hooks.posts.at(-1)?.body['text'])).toMatch(/\[WARNING\] busy: load 8 /);
      expect(accepted() - before.accepted).toBe(1);
      setLoad(0.1);
      await hooks.waitForPosts(before.posts + 2);
      expect(String(hooks.posts.at(-1)?.body['text'])).toMatch(/\[RECOVERED\] busy/);
      const outputs = running.map((s) => s.output()).join('\n');
      expect(outputs).toContain('"msg":"sampling started"');
    } finally {
      const codes = await Promise.all(running.map((s) => s.stop()));
      expect(codes).toEqual([0, 0, 0]);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  });
});
