import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { createInfluxStore, ensureInfluxV1Database } from '@infra-report/shared';
import {
  freePort,
  repoRoot,
  startPrometheus,
  testInfluxSettings,
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

/**
 * The distributed path end to end: four services as four processes, a run triggered by the
 * CLI, three hosts of which one is unreachable, real Redis, InfluxDB, sshd and SMTP.
 */
describe('a report run through the four services', () => {
  const services = testServices();
  const prefix = uniqueName('ir-test');
  const token = uniqueName('token');
  const apiPort = 18000 + Math.floor(Math.random() * 1000);
  const influxSettings = testInfluxSettings('run');
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-distributed-'));
  const configFile = path.join(dir, 'config.yaml');
  const redis = new Redis(services.redisUrl);
  const now = new Date();
  const ago = (minutes: number) => syslogTime(new Date(now.getTime() - minutes * 60_000));
  let smtp: TestSmtpServer;
  const running: ServiceProcess[] = [];
  const metricsPorts = { collector: 0, renderer: 0, mailer: 0 };

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    for (const service of ['collector', 'renderer', 'mailer'] as const) metricsPorts[service] = await freePort();
    await ensureInfluxV1Database(influxSettings);
    writeFleetAuthLog('host3', [
      `${ago(200)} host3 sshd[100]: Accepted publickey for deploy from 192.0.2.33 port 51000 ssh2: ED25519 SHA256:k`,
      `${ago(100)} host3 sshd[101]: Failed password for invalid user admin from 198.51.100.23 port 40000 ssh2`,
    ]);
    writeFleetAuthLog('host4', [
      `${ago(50)} host4 sshd[200]: Accepted password for operator from 192.0.2.44 port 52000 ssh2`,
    ]);
    writeFileSync(
      configFile,
      fleetConfigYaml(
        [{ index: 3 }, { index: 4 }, { index: 9, name: 'offline9', address: '127.0.0.99' }],
        [
          `redis: { url: "${services.redisUrl}", prefix: ${prefix} }`,
          `influx: { url: "${services.influxUrl}", api: ${services.influxApi}, bucket: ${influxSettings.bucket} }`,
          `smtp: { host: 127.0.0.1, port: ${smtp.port}, from: "infra-report <reports@example.com>", to: [ops@example.com] }`,
          `api: { host: 127.0.0.1, port: ${apiPort}, tokens: ["${token}"] }`,
          'collector: { attempts: 2, backoff_seconds: 0.2 }',
          `metrics: { host: 127.0.0.1, collector_port: ${metricsPorts.collector}, renderer_port: ${metricsPorts.renderer}, mailer_port: ${metricsPorts.mailer} }`,
        ].join('\n'),
      ),
    );
    for (const name of ['collector', 'renderer', 'mailer', 'api']) running.push(await startService(name, configFile));
  });

  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop().catch(() => undefined)));
    await smtp?.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('emails one report naming every host, the unreachable one with its reason and the logins', async () => {
    const trigger = await runCli(['trigger', '-c', configFile]);
    expect(trigger.stderr).toMatch(/run \S+_all enqueued: 3 host\(s\)/);
    const runId = (JSON.parse(trigger.stdout) as { run: { runId: string } }).run.runId;

    const [mail] = await smtp.waitForMessages(1, 60_000);
    expect(mail?.subject).toMatch(
      /^Daily Infrastructure Report - \d{4}-\d{2}-\d{2} - (all clear|\d+ (critical|warnings?))/,
    );
    const pdf = mail?.attachments.find((a) => a.filename?.endsWith('.pdf'));
    const xlsx = mail?.attachments.find((a) => a.filename?.endsWith('.xlsx'));
    expect(pdf && xlsx).toBeTruthy();

    const pdfFile = path.join(dir, 'report.pdf');
    writeFileSync(pdfFile, pdf!.content);
    const text = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' });
    for (const host of ['host3', 'host4', 'offline9']) expect(text).toContain(host);
    expect(text).toContain('connection refused by 127.0.0.99:2222 (host offline9): is sshd running on port 2222?');
    expect(text).toMatch(/host3\s+deploy\s+192\.0\.2\.33\s+publickey/);
    expect(text).toMatch(/host4\s+operator\s+192\.0\.2\.44\s+password/);
    // Across hosts: source, attempts, invalid-user attempts, probes, hosts, users.
    expect(text).toMatch(/198\.51\.100\.23\s+1\s+1\s+0\s+1\s+admin/);

    const workbook = XLSX.read(xlsx!.content);
    const hosts = XLSX.utils.sheet_to_json<Record<string, string>>(workbook.Sheets['Hosts']!);
    expect(hosts.map((h) => [h['Host'], h['Status']])).toEqual([
      ['host3', 'reporting'],
      ['host4', 'reporting'],
      ['offline9', 'unreachable'],
    ]);
    const unreachable = XLSX.utils.sheet_to_json<Record<string, string>>(workbook.Sheets['Unreachable Hosts']!);
    expect(unreachable[0]?.['Reason']).toBe(
      'connection refused by 127.0.0.99:2222 (host offline9): is sshd running on port 2222?',
    );
    const logins = XLSX.utils.sheet_to_json<Record<string, string>>(workbook.Sheets['User Logins']!);
    expect(logins.map((l) => [l['Host'], l['User']])).toEqual([
      ['host3', 'deploy'],
      ['host4', 'operator'],
    ]);

    // InfluxDB holds the points of both reachable hosts.
    const influx = createInfluxStore(influxSettings);
    const series = await influx.query(`SELECT last("uptime") FROM "system" GROUP BY "host"`);
    expect(series.map((s) => s.tags['host']).sort()).toEqual(['host3', 'host4']);
    await influx.close();

    // What is left in Redis: the completed flow, the delivery mark, the stored files.
    const deliver = new Queue(`deliver`, { connection: redis, prefix });
    const job = await deliver.getJob(runId);
    expect(await job?.getState()).toBe('completed');
    expect(job?.returnvalue).toMatchObject({ runId, destination: 'ops@example.com' });
    expect(await redis.get(`${prefix}:delivered:${runId}`)).toBeTruthy();
    const artifactKeys = await redis.keys(`${prefix}:artifact:${runId}/*`);
    expect(artifactKeys).toHaveLength(2);
    expect(await redis.ttl(artifactKeys[0]!)).toBeGreaterThan(86400);
    const collect = new Queue('collect', { connection: redis, prefix });
    expect(await collect.getJobCounts('completed', 'failed')).toEqual({ completed: 2, failed: 1 });

    // The API serves the run's status and its files.
    const status = await fetch(`http://127.0.0.1:${apiPort}/v1/runs/${runId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await status.json()) as {
      state: string;
      hosts: { name: string; state: string; reason: string | null; kind: string | null }[];
      files: { url: string }[];
    };
    expect(body.state).toBe('delivered');
    expect(body.hosts.map((h) => [h.name, h.state, h.kind])).toEqual([
      ['host3', 'reported', null],
      ['host4', 'reported', null],
      ['offline9', 'failed', 'refused'],
    ]);
    expect(body.hosts[2]?.reason).toContain('connection refused');
    const download = await fetch(`http://127.0.0.1:${apiPort}${body.files[0]!.url}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf!.content)).toBe(true);

    // A second trigger of the same run changes nothing and sends nothing.
    const again = await runCli(['trigger', '-c', configFile]);
    expect(again.stderr).toContain(`run ${runId} already exists (completed): nothing enqueued`);
    expect(await collect.getJobCounts('completed', 'failed', 'waiting')).toEqual({
      completed: 2,
      failed: 1,
      waiting: 0,
    });
    expect(smtp.messages).toHaveLength(1);
    await Promise.all([deliver.close(), collect.close()]);
  });

  it('is seen by a real Prometheus: the run, its failed host under its kind, the delivery, and every pipeline panel', async () => {
    const prometheus = await startPrometheus(
      {
        'infra-report-api': [`127.0.0.1:${apiPort}`],
        'infra-report-collector': [`127.0.0.1:${metricsPorts.collector}`],
        'infra-report-renderer': [`127.0.0.1:${metricsPorts.renderer}`],
        'infra-report-mailer': [`127.0.0.1:${metricsPorts.mailer}`],
      },
      [path.join(repoRoot, 'helm/infra-report/files/rules.yaml')],
    );
    try {
      await prometheus.waitForScrape(new Date());
      await new Promise((resolve) => setTimeout(resolve, 2500)); // rate() needs two scrapes
      const value = async (expr: string) => {
        const { result, error } = await prometheus.query(expr);
        expect(error, expr).toBeUndefined();
        return result.map((r) => Number(r.value[1]));
      };
      expect(await value('up{job=~"infra-report-.*"}')).toEqual([1, 1, 1, 1]);
      // offline9: refused on both attempts; the first is retried, the second is final.
      expect(
        await value('sum(infra_report_jobs_total{queue="collect",outcome="failed",failure_kind="refused"})'),
      ).toEqual([1]);
      expect(
        await value('sum(infra_report_jobs_total{queue="collect",outcome="retried",failure_kind="refused"})'),
      ).toEqual([1]);
      expect(await value('sum(infra_report_jobs_total{queue="collect",outcome="completed"})')).toEqual([2]);
      expect(await value('sum(infra_report_jobs_total{queue="render",outcome="completed"})')).toEqual([1]);
      expect(await value('sum(infra_report_jobs_total{queue="deliver",outcome="completed"})')).toEqual([1]);
      expect(await value('max by (outcome) (infra_report_last_run_hosts)')).toEqual(expect.arrayContaining([2, 1]));
      expect(await value('max(infra_report_last_run_hosts{outcome="unreachable"})')).toEqual([1]);
      const [sinceDelivery] = await value(
        'time() - max(infra_report_last_success_timestamp_seconds{stage="delivery"})',
      );
      expect(sinceDelivery).toBeGreaterThanOrEqual(0);
      expect(sinceDelivery).toBeLessThan(300);
      expect(await value('sum(infra_report_notifications_total{channel="email",outcome="sent"})')).toEqual([1]);
      const [handshakes] = await value('sum(infra_report_ssh_handshake_seconds_count)');
      expect(handshakes).toBeGreaterThanOrEqual(2);
      const [points] = await value('sum(infra_report_influx_points_written_total)');
      expect(points).toBeGreaterThan(20);
      // Bounded labels: no host name or address in any label of ours.
      const { result: all } = await prometheus.query('{__name__=~"infra_report_.*"}');
      expect(JSON.stringify(all.map((r) => r.metric))).not.toMatch(/offline9|127\.0\.0\.99|host3/);

      // Every query of the pipeline dashboard runs and returns series.
      const dashboard = JSON.parse(
        readFileSync(path.join(repoRoot, 'helm/infra-report/files/dashboards/pipeline.json'), 'utf8'),
      ) as { panels: { title: string; targets: { expr: string }[] }[] };
      const empty: string[] = [];
      for (const panel of dashboard.panels)
        for (const target of panel.targets) {
          const expr = target.expr.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '5m');
          const { result, error } = await prometheus.query(expr);
          if (error || result.length === 0) empty.push(`${panel.title}: ${expr} ${error ?? 'no data'}`);
        }
      expect(empty).toEqual([]);

      // The alert rules load, and the report that just went out silences "not delivered".
      const rules = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
        data: { groups: { rules: { name: string; health: string; state: string }[] }[] };
      };
      const loaded = rules.data.groups.flatMap((g) => g.rules);
      expect(loaded).toHaveLength(8);
      expect(loaded.every((rule) => rule.health === 'ok')).toBe(true);
      expect(loaded.find((rule) => rule.name === 'InfraReportNotDelivered')?.state).toBe('inactive');
    } finally {
      await prometheus.stop();
    }
  });

  it('stops every service cleanly on SIGTERM', async () => {
    const codes = await Promise.all(running.map(async (s) => [s.name, await s.stop()] as const));
    expect(codes).toEqual([
      ['collector', 0],
      ['renderer', 0],
      ['mailer', 0],
      ['api', 0],
    ]);
    for (const s of running) expect(s.output()).toContain('"msg":"stopped cleanly"');
  });
});
