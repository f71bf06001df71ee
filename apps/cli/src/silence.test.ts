import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fleetConfigYaml,
  runCli,
  startNamespacedSshd,
  startWebhookServer,
  type TestWebhookServer,
  type ZonedSshd,
} from '@infra-report/testkit';

/**
 * `infra-report silence` without Alertmanager: a silenced alert is kept (the watch still shows
 * it) but not notified; when the silence ends and the alert is still firing, it is told once.
 */
describe('silencing alerts from the command line', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-silence-'));
  const loadFile = path.join(dir, 'loadavg');
  let host: ZonedSshd;
  let hooks: TestWebhookServer;
  let configFile: string;

  beforeAll(async () => {
    writeFileSync(loadFile, '64.00 0.50 0.40 1/300 4242\n');
    host = await startNamespacedSshd('silence-web1', '127.0.0.39', 2231, { bindFiles: { '/proc/loadavg': loadFile } });
    hooks = await startWebhookServer();
    configFile = path.join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      fleetConfigYaml(
        [{ index: 0, name: 'web1', address: host.address, port: host.port, knownHostsFile: host.knownHostsFile }],
        [
          'report:',
          `  state_dir: ${path.join(dir, 'state')}`,
          '  thresholds: { load_per_cpu_warn: 2, load_per_cpu_critical: 1000, disk_warn_percent: 100, disk_critical_percent: 100,',
          '    inode_warn_percent: 100, memory_warn_percent: 100, cpu_warn_percent: 100, temperature_warn_celsius: 200 }',
          'sample: { interval_seconds: 1 }',
          'alerts: { group_wait_seconds: 0, rules: { load: { after_seconds: 0 } } }',
          `notify: { webhooks: [{ kind: mattermost, url: "${hooks.url}/ops", events: [alerts] }] }`,
        ].join('\n'),
      ),
    );
  });
  afterAll(async () => {
    hooks?.close();
    await host?.stop();
  });

  it('keeps a silenced alert quiet, lists the silence, and tells the alert once the silence is ended', async () => {
    const created = await runCli([
      'silence',
      '-c',
      configFile,
      '--host',
      'web*',
      '--rule',
      'load',
      '--for',
      '4h',
      '--comment',
      'kernel build',
    ]);
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const listed = await runCli(['silence', '-c', configFile, '--list']);
    expect(listed.stdout).toMatch(new RegExp(`^${id}  web\\* {2}load {2}until \\S+ {2}by \\S+: kernel build$`, 'm'));

    const silenced = await runCli(['watch', '--rounds', '2', '-c', configFile]);
    expect(silenced.code).toBe(0);
    expect(silenced.stderr).toMatch(/ALERT +web1: load 64 /); // fired, kept in the alert state
    expect(hooks.posts).toEqual([]);

    const ended = await runCli(['silence', '-c', configFile, '--expire', id]);
    expect(ended.code).toBe(0);
    const told = await runCli(['watch', '--rounds', '1', '-c', configFile]);
    expect(told.code).toBe(0);
    expect(hooks.posts).toHaveLength(1);
    expect(String(hooks.posts[0]?.body['text'])).toMatch(/\[WARNING\] web1: load 64 /);
    // Told once: the next round says nothing more.
    await runCli(['watch', '--rounds', '1', '-c', configFile]);
    expect(hooks.posts).toHaveLength(1);

    const bad = await runCli(['silence', '-c', configFile, '--host', 'web1', '--for', 'forever']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--for: a duration such as 30m, 4h or 2d');
    const unknown = await runCli(['silence', '-c', configFile, '--expire', 'nope']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('no silence nope');
  });
});
