import { describe, expect, it } from 'vitest';
import { sampleSnapshot } from '@infra-report/testkit';
import { noHistory } from '../history.js';
import { buildDiskRows, sortDiskRows } from './disks.js';

const thresholds = {
  disk_warn_percent: 80,
  disk_critical_percent: 90,
  failed_logins_warn: 10,
  brute_force_attempts: 10,
};
const fs = (mount: string, usedPercent: number, inodes: [number, number] | null = null) => ({
  device: '/dev/x',
  fsType: 'ext4',
  mount,
  sizeBytes: 1000,
  usedBytes: usedPercent * 10,
  availableBytes: 1000 - usedPercent * 10,
  usedPercent,
  inodesTotal: inodes?.[0] ?? null,
  inodesUsed: inodes?.[1] ?? null,
  inodesFree: inodes ? inodes[0] - inodes[1] : null,
});

describe('buildDiskRows', () => {
  it('rates a filesystem by the worse of its bytes and its inodes', () => {
    const snapshot = sampleSnapshot('h1', {
      filesystems: [fs('/', 50), fs('/var', 85), fs('/srv', 95), fs('/mail', 10, [1000, 950])],
    });
    const rows = buildDiskRows([snapshot], () => 'g', thresholds as never, noHistory('none'));
    expect(rows.map((r) => [r.mount, r.severity, r.inodesUsedPercent])).toEqual([
      ['/', 'ok', null],
      ['/var', 'warning', null],
      ['/srv', 'critical', null],
      ['/mail', 'critical', 95],
    ]);
    expect(rows[0]).toMatchObject({
      group: 'g',
      daysUntilFull: null,
      forecastNote: 'no history',
      previousPercent: null,
    });
  });

  it('sorts worst first, then fullest', () => {
    const rows = buildDiskRows(
      [sampleSnapshot('h1', { filesystems: [fs('/a', 50), fs('/b', 85), fs('/c', 95), fs('/d', 60)] })],
      () => 'g',
      thresholds as never,
      noHistory('none'),
    );
    expect(sortDiskRows(rows).map((r) => r.mount)).toEqual(['/c', '/b', '/d', '/a']);
  });
});
