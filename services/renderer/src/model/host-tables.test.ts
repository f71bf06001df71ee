import { describe, expect, it } from 'vitest';
import { sampleSnapshot } from '@infra-report/testkit';
import { noHistory } from '../history.js';
import { buildBackupRows, buildResourceRows, buildUptimeRows } from './host-tables.js';

describe('host table builders', () => {
  it('marks a boot inside the window as a reboot', () => {
    const rows = buildUptimeRows(
      [
        sampleSnapshot('old', { bootTime: '2026-11-01T00:00:00Z' }),
        sampleSnapshot('new', { bootTime: '2026-11-21T12:00:00Z' }),
        sampleSnapshot('unknown', { bootTime: null }),
      ],
      () => 'g',
      new Date('2026-11-21T07:00:00Z'),
    );
    expect(rows.map((r) => [r.host, r.rebootedInWindow])).toEqual([
      ['old', false],
      ['new', true],
      ['unknown', false],
    ]);
  });

  it('gives swap use in percent with one decimal, the hottest sensor, and null where nothing was measured', () => {
    const [row, empty] = buildResourceRows(
      [
        sampleSnapshot('h', {
          memory: {
            totalBytes: 8,
            availableBytes: 4,
            usedBytes: 4,
            usedPercent: 50,
            swapTotalBytes: 3,
            swapFreeBytes: 2,
          },
          temperatures: [
            { sensor: 'a', celsius: 41 },
            { sensor: 'b', celsius: 63.5 },
          ],
        }),
        sampleSnapshot('e', { memory: null, temperatures: null, cpu: null, load: null }),
      ],
      () => 'g',
      noHistory('none'),
    );
    expect(row).toMatchObject({ swapUsedPercent: 33.3, maxTemperature: 63.5, memoryUsedPercent: 50 });
    expect(empty).toMatchObject({ swapUsedPercent: null, maxTemperature: null, cpuPercent: null, load1: null });
  });

  it('rates a backup with no file as critical and an old one as a warning', () => {
    const backup = { name: 'db', path: '/b/*.gz', maxAgeHours: 26, modified: null, ageHours: null, sizeBytes: null };
    const rows = buildBackupRows([
      sampleSnapshot('h', {
        backups: [
          { ...backup, newestFile: null, stale: true },
          { ...backup, newestFile: '/b/1.gz', stale: true },
          { ...backup, newestFile: '/b/2.gz', stale: false },
        ],
      }),
    ]);
    expect(rows.map((r) => r.severity)).toEqual(['critical', 'warning', 'ok']);
  });
});
