import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fleetConfigYaml,
  runCli,
  startAlertmanager,
  startNamespacedSshd,
  startWebhookServer,
  type TestAlertmanager,
  type TestWebhookServer,
  type ZonedSshd,
} from '@infra-report/testkit';

interface AlertmanagerNotification {
  status: string;
  groupLabels: Record<string, string>;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string>; endsAt: string }[];
}

/**
 * Alertmanager as the alert channel: a real prometheus-alertmanager (Debian's) that groups by
 * alertname and notifies a webhook receiver. Two sampled hosts whose load is high (their
 * /proc/loadavg is a file the test writes) fire at once; Alertmanager sends one notification for
 * both, then one "resolved" once they recover. Our own alert webhook stays quiet.
 */
describe('alerts to Prometheus Alertmanager', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-alertmanager-'));
  const loadFiles = [path.join(dir, 'load-a'), path.join(dir, 'load-b')];
  const setLoad = (one: number) =>
    loadFiles.forEach((f) => writeFileSync(f, `${one.toFixed(2)} 0.50 0.40 1/300 4242\n`));
  const hosts: ZonedSshd[] = [];
  let receiver: TestWebhookServer;
  let alertmanager: TestAlertmanager;
  let configFile: string;

  beforeAll(async () => {
    setLoad(64);
    hosts.push(
      await startNamespacedSshd('am-web1', '127.0.0.37', 2231, { bindFiles: { '/proc/loadavg': loadFiles[0]! } }),
    );
    hosts.push(
      await startNamespacedSshd('am-web2', '127.0.0.38', 2231, { bindFiles: { '/proc/loadavg': loadFiles[1]! } }),
    );
    receiver = await startWebhookServer();
    alertmanager = await startAlertmanager(`${receiver.url}/alertmanager`, ['alertname']);
    configFile = path.join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      fleetConfigYaml(
        hosts.map((h, i) => ({
          index: 0,
          name: `web${i + 1}`,
          address: h.address,
          port: h.port,
          knownHostsFile: h.knownHostsFile,
        })),
        [
          'report:',
          `  state_dir: ${path.join(dir, 'state')}`,
          '  thresholds: { load_per_cpu_warn: 2, load_per_cpu_critical: 1000, disk_warn_percent: 100, disk_critical_percent: 100,',
          '    inode_warn_percent: 100, memory_warn_percent: 100, cpu_warn_percent: 100, temperature_warn_celsius: 200 }',
          'sample: { interval_seconds: 1 }',
          'alerts: { group_wait_seconds: 0, refire_after_seconds: 0, rules: { load: { after_seconds: 0 } } }',
          'notify:',
          `  alertmanager: { url: "${alertmanager.url}", resend_seconds: 5 }`,
          // Alertmanager notifies: this webhook gets no alerts (it is not kept).
          `  webhooks: [{ kind: mattermost, url: "${receiver.url}/own", events: [alerts] }]`,
        ].join('\n'),
      ),
    );
  });
  afterAll(async () => {
    await alertmanager?.stop();
    receiver?.close();
    await Promise.all(hosts.map((h) => h.stop()));
  });

  const notifications = () =>
    receiver.posts.filter((p) => p.path === '/alertmanager').map((p) => p.body as unknown as AlertmanagerNotification);

  it('posts the alerts with their labels; Alertmanager groups them into one notification and resolves them after the recovery', async () => {
    const first = await runCli(['watch', '--rounds', '3', '-c', configFile]);
    expect(first.code).toBe(0);
    await receiver.waitForPosts(1, 30_000);
    // Alertmanager's group_wait and group_interval have passed: no second notification came.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(notifications()).toHaveLength(1);
    const [firing] = notifications();
    expect(firing?.status).toBe('firing');
    expect(firing?.groupLabels).toEqual({ alertname: 'load' });
    expect(firing?.alerts.map((a) => a.labels).sort((a, b) => a['host']!.localeCompare(b['host']!))).toEqual([
      { alertname: 'load', host: 'web1', group: 'fleet', severity: 'warning' },
      { alertname: 'load', host: 'web2', group: 'fleet', severity: 'warning' },
    ]);
    expect(firing?.alerts[0]?.annotations['summary']).toMatch(/^web\d: load 64 \(/);
    // Still firing in Alertmanager: posted to end well after now, not at once.
    expect((await alertmanager.alerts()).map((a) => a.status.state)).toEqual(['active', 'active']);

    setLoad(0.1);
    const second = await runCli(['watch', '--rounds', '2', '-c', configFile]);
    expect(second.code).toBe(0);
    await receiver.waitForPosts(2, 30_000);
    const resolved = notifications()[1];
    expect(resolved?.status).toBe('resolved');
    expect(resolved?.alerts.map((a) => a.status)).toEqual(['resolved', 'resolved']);
    expect(receiver.posts.filter((p) => p.path === '/own')).toEqual([]);
  });
});
