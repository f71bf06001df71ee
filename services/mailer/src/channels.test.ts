import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFilesystemArtifactStore,
  createRedisAlertStateStore,
  failureKindOf,
  parseConfig,
  silentLogger,
  type Config,
  type RenderResult,
} from '@infra-report/shared';
import {
  startNamespacedSshd,
  startWebhookServer,
  startTestSmtpServer,
  testServices,
  uniqueName,
  type TestSmtpServer,
  type ZonedSshd,
} from '@infra-report/testkit';
import { deliverRun } from './deliver-run.js';
import { acceptAlert, flushAlerts, type AlertDispatchDependencies } from './notify/alert-dispatch.js';
import { createRedisAlertOutbox } from './notify/alert-outbox.js';
import { createMailDestination, createRedisDeliveryLedger } from './transports.js';

describe('delivery channels: group teams, webhooks, the SFTP archive', () => {
  const services = testServices();
  const redis = new Redis(services.redisUrl);
  const prefix = uniqueName('ir-channels');
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-channels-'));
  const archiveDir = path.join(dir, 'archive');
  let smtp: TestSmtpServer;
  let hooks: Awaited<ReturnType<typeof startWebhookServer>>;
  let sftpHost: ZonedSshd;
  let config: Config;
  const artifacts = createFilesystemArtifactStore(path.join(dir, 'store'));
  const run = {
    runId: '2026-11-22_all',
    reportDate: '2026-11-22',
    scope: 'all',
    windowStart: '2026-11-21T06:00:00.000Z',
    windowEnd: '2026-11-22T06:00:00.000Z',
    timezone: 'UTC',
  };
  const summary = (reporting: number, unreachable: number, critical: number) => ({
    hostsTotal: reporting + unreachable,
    hostsReporting: reporting,
    hostsUnreachable: unreachable,
    attention: [],
    critical,
    warnings: 0,
    rollups: [{ severity: 'critical' as const, title: 'Suspicious process', hosts: 1, examples: 'web01' }],
  });
  let result: RenderResult;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    hooks = await startWebhookServer();
    sftpHost = await startNamespacedSshd('sftp-archive', '127.0.0.34', 2231, { sftp: true });
    mkdirSync(archiveDir, { recursive: true });
    // Files of earlier days: one past the retention (purged), one within it, one not ours (kept).
    for (const name of ['infrastructure-report-2026-01-02.pdf', 'infrastructure-report-2026-11-01.pdf', 'notes.txt'])
      writeFileSync(path.join(archiveDir, name), 'old');
    execFileSync('chown', ['-R', `${services.ssh.user}`, archiveDir]);
    execFileSync('chmod', ['755', dir]);
    config = parseConfig(
      [
        `smtp: { host: 127.0.0.1, port: ${smtp.port}, from: "infra-report <reports@example.com>", to: [ops@example.com] }`,
        'groups:',
        '  web: { recipients: [web-team@example.com] }',
        '  db: { recipients: [dba@example.com] }',
        'notify:',
        '  webhooks:',
        `    - { kind: mattermost, url: "${hooks.url}/hooks/mm" }`,
        `    - { kind: slack, url: "${hooks.url}/hooks/slack-web", groups: [web], events: [daily] }`,
        `archive: { host: ${sftpHost.address}, port: ${sftpHost.port}, user: ${services.ssh.user}, private_key_file: ${services.ssh.clientKey}, known_hosts_file: ${sftpHost.knownHostsFile}, directory: ${archiveDir}, retention_days: 90 }`,
        'api: { public_url: "https://reports.example.com" }',
      ].join('\n'),
      'channels.yaml',
      { env: {} },
    );
    const store = async (fileName: string, content: string) => {
      const key = `${run.runId}/${fileName}`;
      await artifacts.put(key, Buffer.from(content));
      return { fileName, contentType: 'application/pdf', bytes: Buffer.byteLength(content), key };
    };
    result = {
      run,
      artifacts: [
        await store('infrastructure-report-2026-11-22.pdf', '%PDF whole fleet'),
        await store('infrastructure-report-2026-11-22.xlsx', 'PK whole fleet'),
      ],
      summary: summary(2, 1, 1),
      groupReports: [
        {
          group: 'web',
          artifacts: [await store('infrastructure-report-2026-11-22.group-web.pdf', '%PDF web')],
          summary: summary(2, 0, 1),
        },
        {
          group: 'db',
          artifacts: [await store('infrastructure-report-2026-11-22.group-db.pdf', '%PDF db')],
          summary: summary(0, 1, 0),
        },
      ],
    };
  });
  afterAll(async () => {
    await smtp?.close();
    hooks?.close();
    await sftpHost?.stop();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const deps = () => ({
    artifacts,
    destination: createMailDestination(config),
    report: config.report,
    ledger: createRedisDeliveryLedger(redis, prefix),
    now: () => new Date('2026-11-22T07:00:00Z'),
    logger: silentLogger(),
    channels: {
      groups: config.groups,
      webhooks: config.notify.webhooks,
      archive: config.archive,
      publicUrl: 'https://reports.example.com',
    },
  });

  it('sends each team its hosts’ report, posts the day to each webhook, archives and verifies, and on a retry only what failed', async () => {
    hooks.failNext.add('/hooks/slack-web');
    const first = deliverRun(result, deps());
    await expect(first).rejects.toThrow(/webhook:1: slack webhook \(127\.0\.0\.1:\d+\) answered 500/);
    expect(failureKindOf(await first.catch((e: unknown) => e))).toBe('webhook');

    const again = await deliverRun(result, deps());
    expect(again.destination).toBe('already delivered');
    expect(again.channels).toMatchObject({
      'group:web': expect.stringMatching(/^already done/),
      'group:db': expect.stringMatching(/^already done/),
      'webhook:0': expect.stringMatching(/^already done/),
      'webhook:1': 'posted to the slack webhook',
      archive: expect.stringMatching(/^already done/),
    });

    // Three emails, each once: the whole report to ops, each team its own.
    const mails = await smtp.waitForMessages(3);
    expect(mails).toHaveLength(3);
    const byRecipient = new Map(mails.map((m) => [JSON.stringify(m.to).match(/[\w-]+@example\.com/)?.[0], m]));
    expect(byRecipient.get('ops@example.com')?.attachments.map((a) => a.filename)).toEqual([
      'infrastructure-report-2026-11-22.pdf',
      'infrastructure-report-2026-11-22.xlsx',
    ]);
    expect(byRecipient.get('web-team@example.com')?.subject).toContain('(web)');
    expect(byRecipient.get('web-team@example.com')?.attachments.map((a) => a.content.toString())).toEqual(['%PDF web']);
    expect(byRecipient.get('dba@example.com')?.attachments.map((a) => a.content.toString())).toEqual(['%PDF db']);

    // Mattermost: the whole fleet, with links; Slack (web only): the web team's summary, once.
    expect(hooks.posts.map((p) => p.path)).toEqual(['/hooks/mm', '/hooks/slack-web']);
    expect(hooks.posts[0]?.body).toMatchObject({ username: 'infra-report' });
    expect(String(hooks.posts[0]?.body['text'])).toContain('2 of 3 hosts reported, 1 unreachable');
    expect(String(hooks.posts[0]?.body['text'])).toContain(
      '(https://reports.example.com/v1/runs/2026-11-22_all/files/infrastructure-report-2026-11-22.pdf)',
    );
    expect(String(hooks.posts[1]?.body['text'])).toMatch(
      /^\*\*Daily Infrastructure Report \(web\) - 2026-11-22 - 1 critical/,
    );

    // The archive: the day's two files, byte for byte; the old report purged, the rest kept.
    expect(readdirSync(archiveDir).sort()).toEqual([
      'infrastructure-report-2026-11-01.pdf',
      'infrastructure-report-2026-11-22.pdf',
      'infrastructure-report-2026-11-22.xlsx',
      'notes.txt',
    ]);
    expect(readFileSync(path.join(archiveDir, 'infrastructure-report-2026-11-22.pdf'), 'utf8')).toBe(
      '%PDF whole fleet',
    );
  });

  it('archives one .tgz when asked, which tar reads back with both files', async () => {
    const tgzDir = path.join(dir, 'archive-tgz');
    mkdirSync(tgzDir);
    execFileSync('chown', [services.ssh.user, tgzDir]);
    const d = {
      ...deps(),
      ledger: undefined,
      channels: {
        groups: {},
        webhooks: [],
        archive: { ...config.archive!, directory: tgzDir, tgz: true },
        publicUrl: undefined,
      },
    };
    const before = smtp.messages.length;
    const delivered = await deliverRun({ ...result, groupReports: [] }, d);
    expect(delivered.channels?.['archive']).toMatch(/^1 file\(s\) uploaded and verified on 127\.0\.0\.34/);
    await smtp.waitForMessages(before + 1);
    const tgz = path.join(tgzDir, 'infrastructure-report-2026-11-22.tgz');
    expect(execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).trim().split('\n')).toEqual([
      'infrastructure-report-2026-11-22.pdf',
      'infrastructure-report-2026-11-22.xlsx',
    ]);
    expect(execFileSync('tar', ['-xzOf', tgz, 'infrastructure-report-2026-11-22.pdf'], { encoding: 'utf8' })).toBe(
      '%PDF whole fleet',
    );
  });

  it('refuses to archive to a server whose host key is not in known_hosts', async () => {
    const wrongKnownHosts = path.join(dir, 'known_hosts_other');
    writeFileSync(
      wrongKnownHosts,
      readFileSync(services.ssh.knownHosts, 'utf8').replace(/127\.0\.0\.11/g, sftpHost.address),
    );
    const other = { ...config, archive: { ...config.archive!, known_hosts_file: wrongKnownHosts } };
    const d = {
      ...deps(),
      ledger: undefined,
      channels: { ...deps().channels, webhooks: [], archive: other.archive, groups: {} },
    };
    await expect(deliverRun({ ...result, groupReports: [] }, d)).rejects.toThrow(
      /archive: host key (changed|unknown) for archive server 127\.0\.0\.34:2231/,
    );
    expect(existsSync(path.join(archiveDir, 'infrastructure-report-2026-11-22.pdf.part'))).toBe(false);
  });

  it('mails an alert to ops and, apart, to the host’s group team, posts it, and shows hostile text as the report does', async () => {
    const before = smtp.messages.length;
    const postsBefore = hooks.posts.length;
    const event = {
      id: 'web01|disk:/var|2026-11-22T07:00:00.000Z|alert',
      kind: 'alert' as const,
      host: 'web01\u001b[31m',
      groups: ['web'],
      rule: 'disk',
      subject: '/var',
      severity: 'critical' as const,
      message: `disk /var 97 % ${'x'.repeat(10_000)}`,
      at: '2026-11-22T07:00:00.000Z',
      firedAt: '2026-11-22T07:00:00.000Z',
    };
    const deps: AlertDispatchDependencies = {
      config,
      destination: createMailDestination(config),
      ledger: createRedisDeliveryLedger(redis, prefix),
      state: createRedisAlertStateStore(redis, prefix),
      outbox: createRedisAlertOutbox(redis, prefix),
      logger: silentLogger(),
      now: () => new Date(),
    };
    const due = await acceptAlert(event, deps);
    expect(due.map((d) => d.destination)).toEqual(['email', 'team:web', 'webhook:0']);
    const channels = [];
    for (const { destination, at } of due) channels.push(await flushAlerts(destination, at, deps));
    expect(channels).toEqual(['alert_email', 'alert_group_email', 'alert_webhook']);
    const mails = (await smtp.waitForMessages(before + 2)).slice(before);
    expect(mails.map((m) => JSON.stringify(m.to))).toEqual([
      expect.stringContaining('ops@example.com'),
      expect.stringContaining('web-team@example.com'),
    ]);
    const [mail] = mails;
    expect(mail?.subject).toMatch(/^\[CRITICAL\] web01\^\[\[31m: disk \/var 97 % x+… \(\d+ characters\)$/);
    expect(Math.max(...(mail?.text ?? '').split('\n').map((l) => l.length))).toBeLessThan(400);
    expect(hooks.posts.slice(postsBefore).map((p) => p.path)).toEqual(['/hooks/mm']);
    // Delivered once: the same flush again (a retried job) sends nothing.
    for (const { destination, at } of due) expect(await flushAlerts(destination, at, deps)).toBeNull();
    expect(smtp.messages.length).toBe(before + 2);
  });
});
