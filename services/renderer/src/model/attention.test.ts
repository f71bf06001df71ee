import { describe, expect, it } from 'vitest';
import { sampleRun } from '@infra-report/testkit';
import { noHistory } from '../history.js';
import { buildAttention } from './attention.js';
import { buildDiskRows } from './disks.js';
import { buildFailedBySource } from './logins.js';
import { buildGroupSummary, buildHostRows } from './overview.js';

const thresholds = {
  disk_warn_percent: 80,
  disk_critical_percent: 90,
  failed_logins_warn: 10,
  brute_force_attempts: 10,
};

describe('attention and overview builders', () => {
  const { snapshots, failures } = sampleRun();
  const disks = buildDiskRows(snapshots, () => 'web', thresholds as never, noHistory('none'));
  const attention = buildAttention(
    {
      snapshots,
      failures,
      disks,
      security: [
        {
          host: 'web01',
          severity: 'critical',
          kind: 'suspicious-process',
          message: 'process 1 runs from /tmp/x',
          amount: null,
        },
      ],
      acceptedLogins: [],
      processes: [
        { host: 'web01', group: 'web', total: 1, running: 1, blocked: 0, zombies: 0, failedUnits: ['backup.service'] },
      ],
      failedBySource: buildFailedBySource(snapshots),
      uptime: [],
    },
    thresholds as never,
    'UTC',
  );

  it('lists critical items first, then warnings, each by host', () => {
    expect(attention.map((a) => [a.severity, a.host, a.category])).toEqual([
      ['critical', 'db01', 'unreachable'],
      ['critical', 'web01', 'disk'],
      ['critical', 'web01', 'security'],
      ['warning', 'web01', 'services'],
      ['warning', 'web01', 'logins'],
    ]);
    expect(attention[1]?.message).toBe('/ is 95% full (5.0 GiB free of 100.0 GiB)');
    expect(attention[4]?.message).toBe('25 failed SSH logins from 198.51.100.7');
  });

  it("counts each host's items and adds them up per group", () => {
    const hosts = buildHostRows(snapshots, failures, (h) => (h === 'db01' ? 'db' : 'web'), attention);
    expect(hosts.map((h) => [h.host, h.status, h.critical, h.warnings])).toEqual([
      ['db01', 'unreachable', 1, 0],
      ['web01', 'reporting', 2, 2],
      ['сервер-02', 'reporting', 0, 0],
    ]);
    expect(buildGroupSummary(hosts)).toEqual([
      { group: 'db', hosts: 1, reporting: 0, unreachable: 1, critical: 1, warnings: 0 },
      { group: 'web', hosts: 2, reporting: 2, unreachable: 0, critical: 2, warnings: 2 },
    ]);
  });
});
