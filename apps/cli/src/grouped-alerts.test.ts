import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fleetAddress,
  fleetConfigYaml,
  runCli,
  startService,
  startTestSmtpServer,
  syslogTime,
  testServices,
  uniqueName,
  writeFleetAuthLog,
  type ServiceProcess,
  type TestSmtpServer,
} from '@infra-report/testkit';

/** Six addresses of a scanner that works through the whole fleet (as seen in real auth logs). */
const scanner = ['183.62.140.253', '218.92.0.112', '61.177.172.13', '45.148.10.240', '193.32.162.83', '92.255.85.37'];
const hostCount = 20;
const hostName = (i: number) => `scan${String(i + 1).padStart(2, '0')}`;
/** Failed logins of source k on host i: over the brute-force threshold (10) everywhere. */
const attempts = (i: number, k: number) => 10 + ((i + k) % 5);
const total = (k: number) => Array.from({ length: hostCount }, (_, i) => attempts(i, k)).reduce((a, b) => a + b, 0);

const isReport = (m: ParsedMail) => /^Daily Infrastructure Report/.test(m.subject ?? '');

/**
 * The morning the issue measured: 20 real sshd hosts (over the test fleet's four sshd, each host
 * with its own auth log) whose logs share six brute-force sources. It used to be 120 alert
 * emails besides the report; the report has them all, and alerts, when asked for, are one email.
 */
describe('alerts grouped across hosts: a scanner on 20 hosts', () => {
  const services = testServices();
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-grouped-alerts-'));
  let smtp: TestSmtpServer;
  const now = Date.now();

  const hostsYaml = () =>
    Array.from({ length: hostCount }, (_, i) => ({
      index: 0,
      name: hostName(i),
      address: fleetAddress(1 + (i % 4)),
    }));

  const configYaml = (label: string, extra: string[]) =>
    fleetConfigYaml(
      hostsYaml(),
      [
        'report:',
        `  output_dir: ${dir}/${label}/reports`,
        `  state_dir: ${dir}/${label}/state`,
        // Only what the test makes happen: this machine's disks and load are not under test.
        '  thresholds: { disk_warn_percent: 100, disk_critical_percent: 100 }',
        `smtp: { host: 127.0.0.1, port: ${smtp.port}, from: "infra-report <reports@example.com>", to: [ops@example.com] }`,
        ...extra,
      ].join('\n'),
    );

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    for (let i = 0; i < hostCount; i += 1) {
      const lines: string[] = [];
      scanner.forEach((source, k) => {
        for (let n = 0; n < attempts(i, k); n += 1) {
          const at = syslogTime(new Date(now - (300 - n * 5 - k) * 60_000));
          lines.push(
            n % 2 === 0
              ? `${at} ${hostName(i)} sshd[${1000 + n}]: Failed password for root from ${source} port ${40000 + n} ssh2`
              : `${at} ${hostName(i)} sshd[${1000 + n}]: Failed password for invalid user admin${n} from ${source} port ${40000 + n} ssh2`,
          );
        }
      });
      writeFleetAuthLog(hostName(i), lines.sort());
    }
  });
  afterAll(async () => {
    await smtp?.close();
  });

  async function run(label: string, extra: string[]): Promise<ParsedMail[]> {
    const configFile = path.join(dir, `${label}.yaml`);
    writeFileSync(configFile, configYaml(label, extra));
    const before = smtp.messages.length;
    const result = await runCli(['run', '-c', configFile], { env: { REDIS_URL: '', INFLUX_URL: '' } });
    expect(result.stderr).not.toMatch(/Unhandled|TypeError/);
    expect(result.code).toBe(0);
    await smtp.waitForMessages(before + 1);
    // The alerts go out before the report: whatever came is here by the time the report is.
    return smtp.messages.slice(before);
  }

  it('by default sends the report alone: brute-force sources are in it, not paged per host', async () => {
    const mails = await run('defaults', []);
    expect(mails.map((m) => m.subject)).toEqual([expect.stringMatching(/^Daily Infrastructure Report/)]);
    const pdf = readdirSync(path.join(dir, 'defaults/reports')).find((f) => f.endsWith('.pdf'))!;
    const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'defaults/reports', pdf), '-'], {
      encoding: 'utf8',
    });
    for (const source of scanner) expect(text).toContain(source);
  });

  it('with failed logins paged on collections: one alert email naming every source across the 20 hosts; a second run sends none', async () => {
    const extra = ['alerts: { rules: { failed_logins: { on: [collection] } } }'];
    const mails = await run('paged', extra);
    expect(mails).toHaveLength(2);
    const alerts = mails.filter((m) => !isReport(m));
    expect(alerts).toHaveLength(1);
    const [alert] = alerts;
    expect(alert?.subject).toMatch(/^\[WARNING\] 120 alerts on 20 hosts: /);
    for (const [k, source] of scanner.entries())
      expect(alert?.text).toContain(`${source}: ${total(k)} failed logins on 20 hosts`);
    // The largest few hosts of each, then how many more.
    expect(alert?.text).toMatch(
      /183\.62\.140\.253: \d+ failed logins on 20 hosts \(scan\d\d 14, scan\d\d 14, scan\d\d 14, and 17 more\)/,
    );
    expect((alert?.text ?? '').split('\n').length).toBeLessThan(200);

    // The report lists what fired since the last one.
    const pdf = readdirSync(path.join(dir, 'paged/reports')).find((f) => f.endsWith('.pdf'))!;
    const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'paged/reports', pdf), '-'], {
      encoding: 'utf8',
    });
    expect(text).toContain('Immediate alerts since the last report');
    expect(text).toMatch(/scan01\s+fired\s+warning\s+\d+ failed logins from 183\.62\.140\.253/);

    // The same state again: the alerts are still firing, nothing new to say.
    const again = await run('paged', extra);
    expect(again.map((m) => m.subject)).toEqual([expect.stringMatching(/^Daily Infrastructure Report/)]);
  });

  it('through the four services: the report and one alert email', async () => {
    const redis = new Redis(services.redisUrl);
    const prefix = uniqueName('ir-grouped');
    const configFile = path.join(dir, 'services.yaml');
    writeFileSync(
      configFile,
      configYaml('services', [
        `redis: { url: "${services.redisUrl}", prefix: ${prefix} }`,
        'api: { host: 127.0.0.1, port: 0 }',
        'metrics: { host: 127.0.0.1, collector_port: 0, renderer_port: 0, mailer_port: 0 }',
        'alerts: { group_wait_seconds: 2, rules: { failed_logins: { on: [collection] } } }',
      ]),
    );
    const running: ServiceProcess[] = [];
    try {
      for (const name of ['collector', 'renderer', 'mailer', 'api'])
        running.push(await startService(name, configFile, { METRICS_PORT: '0' }));
      const before = smtp.messages.length;
      const trigger = await runCli(['trigger', '-c', configFile]);
      expect(trigger.stderr).toMatch(/enqueued: 20 host\(s\)/);
      await smtp.waitForMessages(before + 2, 120_000);
      // The group wait has passed for everything: a third message would be here by now.
      await new Promise((resolve) => setTimeout(resolve, 4000));
      const mails = smtp.messages.slice(before);
      expect(mails.filter(isReport)).toHaveLength(1);
      const alerts = mails.filter((m) => !isReport(m));
      expect(alerts.map((m) => m.subject)).toEqual([expect.stringMatching(/^\[WARNING\] 120 alerts on 20 hosts: /)]);
      for (const [k, source] of scanner.entries())
        expect(alerts[0]?.text).toContain(`${source}: ${total(k)} failed logins on 20 hosts`);
    } finally {
      const codes = await Promise.all(running.map((s) => s.stop()));
      expect(codes.every((c) => c === 0)).toBe(true);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  });
});
