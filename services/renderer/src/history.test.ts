import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import {
  createFilesystemArtifactStore,
  createInfluxStore,
  ensureInfluxV1Database,
  parseConfig,
  Point,
  silentLogger,
} from '@infra-report/shared';
import { testInfluxSettings } from '@infra-report/testkit';
import { forecastDiskFull } from './history.js';
import { renderRun } from './render-run.js';
import { sampleRun } from '@infra-report/testkit';

const day = 86_400_000;

describe('forecastDiskFull', () => {
  it('projects the days until full from the least-squares growth', () => {
    const now = Date.parse('2026-11-22T07:00:00Z');
    const points = [10, 8, 6, 4, 2].map((d) => ({ time: now - d * day, usedBytes: 100e9 - d * 1e9 }));
    // +1 GB/day, 20 GB free: 20 days.
    expect(forecastDiskFull(points, { time: now, usedBytes: 100e9, availableBytes: 20e9 })).toEqual({
      daysUntilFull: 20,
      note: '+953.7 MiB/day over 10 days',
    });
  });

  it('gives no number with too little history or without growth', () => {
    const now = Date.now();
    expect(
      forecastDiskFull([{ time: now - day, usedBytes: 1 }], { time: now, usedBytes: 2, availableBytes: 10 })
        .daysUntilFull,
    ).toBeNull();
    expect(
      forecastDiskFull([{ time: now - day, usedBytes: 1 }], { time: now, usedBytes: 2, availableBytes: 10 }).note,
    ).toBe('too little history (1 of 3 days)');
    const flat = [5, 4, 3].map((d) => ({ time: now - d * day, usedBytes: 50 }));
    expect(forecastDiskFull(flat, { time: now, usedBytes: 40, availableBytes: 10 })).toEqual({
      daysUntilFull: null,
      note: 'not growing',
    });
  });
});

describe('a report compared with its history in InfluxDB', () => {
  it('forecasts disks, compares with the last run and flags addresses never seen before', async () => {
    const settings = testInfluxSettings('history');
    await ensureInfluxV1Database(settings);
    const influx = createInfluxStore(settings);
    const run = sampleRun();
    const collectedAt = Date.parse(run.snapshots[0]!.collectedAt);
    // /srv on web01 grew 10 GiB a day for ten days; 400 GiB are free: ~40 days left.
    const points: Point[] = [];
    for (let d = 10; d >= 1; d -= 1) {
      points.push(
        new Point('disk')
          .tag('host', 'web01')
          .tag('path', '/srv')
          .intField('used', 107374182400 - d * 10 * 1024 ** 3)
          .floatField('used_percent', 20 - d)
          .timestamp(new Date(collectedAt - d * day)),
      );
      points.push(
        new Point('disk')
          .tag('host', 'web01')
          .tag('path', '/')
          .intField('used', 96636764160)
          .floatField('used_percent', d === 1 ? 70 : 60)
          .timestamp(new Date(collectedAt - d * day)),
      );
    }
    // alice logged in from 192.0.2.10 a month ago; nobody ever from 198.51.100.200.
    points.push(
      new Point('ssh_login')
        .tag('host', 'web01')
        .tag('result', 'accepted')
        .tag('method', 'publickey')
        .stringField('user', 'alice')
        .stringField('source_ip', '192.0.2.10')
        .intField('attempts', 1)
        .timestamp(new Date(collectedAt - 30 * day)),
    );
    // Hourly load samples over the last day: the 24-hour chart has something to draw.
    for (let h = 23; h >= 1; h -= 1) {
      points.push(
        new Point('system')
          .tag('host', 'web01')
          .floatField('load1', h === 5 ? 3 : 0.5)
          .timestamp(new Date(collectedAt - h * 3_600_000)),
      );
      points.push(
        new Point('mem')
          .tag('host', 'web01')
          .floatField('used_percent', 40)
          .timestamp(new Date(collectedAt - h * 3_600_000)),
      );
    }
    // Yesterday: web01 listened on 22/tcp only, and gone01 reported too.
    points.push(
      new Point('net_listen')
        .tag('host', 'web01')
        .tag('port', '22')
        .tag('protocol', 'tcp')
        .stringField('addresses', '0.0.0.0')
        .timestamp(new Date(collectedAt - day)),
      new Point('system')
        .tag('host', 'gone01')
        .intField('n_users', 0)
        .timestamp(new Date(collectedAt - day)),
    );
    await influx.writePoints(points);
    run.snapshots[0]!.listening.push({ protocol: 'tcp', address: '127.0.0.1', port: 8080 });
    run.snapshots[0]!.logins.accepted.push({
      time: '2026-11-21T20:00:00.000Z',
      user: 'bob',
      sourceIp: '198.51.100.200',
      port: 1,
      method: 'password',
    });

    const dir = mkdtempSync(path.join(tmpdir(), 'ir-history-'));
    const report = parseConfig('report: { timezone: UTC }\n', 't.yaml', { env: {} }).report;
    const result = await renderRun(run, {
      artifacts: createFilesystemArtifactStore(dir),
      report,
      now: () => new Date(collectedAt + 60_000),
      logger: silentLogger(),
      influx,
    });
    await influx.close();

    expect(result.summary.attention).toContainEqual({
      severity: 'warning',
      host: 'web01',
      message: 'first login from 198.51.100.200 (user bob, 2026-11-21 20:00)',
    });
    expect(result.summary.attention.some((a) => a.message.includes('192.0.2.10'))).toBe(false);
    expect(result.summary.attention).toContainEqual({
      severity: 'critical',
      host: 'web01',
      message: '/ is 95% full (5.0 GiB free of 100.0 GiB), new since the last run (was 70%)',
    });

    const workbook = XLSX.readFile(path.join(dir, 'infrastructure-report-2026-11-22.xlsx'));
    const disks = XLSX.utils.sheet_to_json<Record<string, unknown>>(workbook.Sheets['Disk Usage']!);
    const srv = disks.find((d) => d['Mount'] === '/srv');
    expect(srv?.['Days until full']).toBeCloseTo(40, 0);
    expect(srv?.['Used % last run']).toBeCloseTo(0.19, 5);
    const logins = XLSX.utils.sheet_to_json<Record<string, unknown>>(workbook.Sheets['User Logins']!);
    expect(logins.map((l) => [l['User'], l['First seen']])).toEqual([
      ['alice', false],
      ['bob', true],
    ]);
    const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'infrastructure-report-2026-11-22.pdf'), '-'], {
      encoding: 'utf8',
    });
    // Changed since yesterday: hosts new and gone, the disk that grew, the new port and login address.
    const changes = XLSX.utils
      .sheet_to_json<{ Change: string; Host: string; Detail?: string }>(workbook.Sheets['Since Yesterday']!)
      .map((r) => [r.Change, r.Host, r.Detail ?? '']);
    expect(changes).toEqual([
      ['new host', 'db01', ''],
      ['new host', 'сервер-02', ''],
      ['host gone', 'gone01', ''],
      ['disk grew', 'web01', '/: 70% → 95%'],
      ['new listening port', 'web01', '8080/tcp (127.0.0.1)'],
      ['login from a new address', 'web01', '198.51.100.200 (user bob)'],
    ]);
    expect(text).toMatch(/new listening port\s+web01\s+8080\/tcp \(127\.0\.0\.1\)/);
    expect(text).toMatch(/\/srv\s+xfs.*40 days/);
    expect(text).toContain('Last 24 hours (hourly means from InfluxDB)');
    expect(text).toMatch(/web01\s+max 3\.00\s+max 40/);
  });
});
