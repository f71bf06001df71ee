import type { CollectedRun, HostSnapshot } from '@infra-report/shared';

const run = {
  runId: '2026-11-22_all',
  reportDate: '2026-11-22',
  scope: 'all',
  windowStart: '2026-11-21T07:00:00.000Z',
  windowEnd: '2026-11-22T07:00:00.000Z',
  timezone: 'Europe/Paris',
};

export function sampleSnapshot(host: string, overrides: Partial<HostSnapshot> = {}): HostSnapshot {
  return {
    host,
    address: `10.0.0.${host.length}`,
    groups: ['web'],
    labels: {},
    collectedAt: '2026-11-22T07:00:05.000Z',
    sshLatencyMs: 42,
    collectedBytes: 12000,
    os: {
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      kernel: 'Linux 6.1.0-27-amd64',
      arch: 'x86_64',
      hostname: host,
      utcOffset: '+0100',
    },
    cpuCount: 4,
    uptimeSeconds: 864000,
    bootTime: '2026-11-12T07:00:05.000Z',
    load: { one: 0.42, five: 0.5, fifteen: 0.61 },
    cpu: { usagePercent: 12.5, user: 8, system: 4, idle: 87, iowait: 0.5, steal: 0 },
    temperatures: null,
    failedUnits: [],
    listening: [{ protocol: 'tcp', address: '0.0.0.0', port: 22 }],
    suspiciousProcesses: [],
    backups: [],
    security: [],
    memory: {
      totalBytes: 8 * 1024 ** 3,
      availableBytes: 6 * 1024 ** 3,
      usedBytes: 2 * 1024 ** 3,
      usedPercent: 25,
      swapTotalBytes: 0,
      swapFreeBytes: 0,
    },
    filesystems: [
      {
        device: '/dev/sda1',
        fsType: 'ext4',
        mount: '/',
        sizeBytes: 107374182400,
        usedBytes: 96636764160,
        availableBytes: 5368709120,
        usedPercent: 95,
        inodesTotal: 6553600,
        inodesUsed: 300000,
        inodesFree: 6253600,
      },
      {
        device: '/dev/sdb1',
        fsType: 'xfs',
        mount: '/srv',
        sizeBytes: 536870912000,
        usedBytes: 107374182400,
        availableBytes: 429496729600,
        usedPercent: 20,
        inodesTotal: null,
        inodesUsed: null,
        inodesFree: null,
      },
    ],
    processes: { total: 187, running: 2, sleeping: 185, blocked: 0, zombies: 0, stopped: 0 },
    usersNow: [],
    logins: {
      source: '/var/log/auth.log',
      windowStart: run.windowStart,
      windowEnd: run.windowEnd,
      accepted: [
        { time: '2026-11-21T09:15:00.000Z', user: 'alice', sourceIp: '192.0.2.10', port: 50000, method: 'publickey' },
      ],
      failed: [
        { time: '2026-11-21T10:00:00.000Z', user: 'root', sourceIp: '198.51.100.7', kind: 'wrong-password', count: 25 },
        {
          time: '2026-11-21T10:01:00.000Z',
          user: '=HYPERLINK("http://evil.example","click")',
          sourceIp: '203.0.113.66',
          kind: 'invalid-user',
          count: 1,
        },
      ],
      signals: [],
      privilege: [],
    },
    problems: [],
    ...overrides,
  };
}

/** Two reporting hosts (one with a non-Latin name) and one unreachable. */
export function sampleRun(): CollectedRun {
  return {
    run,
    snapshots: [
      sampleSnapshot('web01', {
        security: [
          { severity: 'critical', kind: 'suspicious-process', message: 'process 4242 runs from /tmp/.x/kworker' },
        ],
        failedUnits: ['backup.service'],
      }),
      sampleSnapshot('сервер-02', {
        filesystems: [],
        logins: { ...sampleSnapshot('x').logins, accepted: [], failed: [], privilege: [] },
      }),
    ],
    failures: [
      {
        host: 'db01',
        address: '10.0.0.30',
        groups: ['db'],
        reason: 'connection refused by 10.0.0.30:22 (host db01): is sshd running on port 22?',
      },
    ],
  };
}
