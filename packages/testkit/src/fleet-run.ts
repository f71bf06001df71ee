import type { CollectedRun, FailedLogin, HostSnapshot, SecurityFinding } from '@infra-report/shared';
import { sampleSnapshot } from './sample-run.js';

/** The brute-force sources every host of an ordinary morning sees, with their attempts per host. */
export const fleetBruteForce: [string, number][] = [
  ['183.62.140.253', 286],
  ['203.0.113.80', 80],
  ['203.0.113.46', 46],
  ['198.51.100.26', 26],
  ['198.51.100.20', 20],
  ['185.190.58.151', 18],
];

const windowEnd = Date.parse('2026-11-22T07:00:00Z');
const iso = (t: number) => new Date(t).toISOString();

/**
 * A run of `hosts` hosts that share their findings, as a fleet does: the same brute-force
 * sources on every host, a full disk on every 25th, a reboot on every 10th, a failed unit on
 * every 50th, other users' processes hidden everywhere (no root), duplicate listening sockets;
 * one host unreachable. Findings are those the collector would have made.
 */
export function fleetRun(hosts: number): CollectedRun {
  const base = sampleSnapshot('template');
  const snapshots: HostSnapshot[] = Array.from({ length: hosts }, (_, i) => {
    const host = `h${String(i + 1).padStart(String(hosts).length, '0')}`;
    const failed: FailedLogin[] = fleetBruteForce.map(([sourceIp, count], k) => ({
      time: iso(windowEnd - (k + 1) * 600_000),
      user: k % 2 === 0 ? 'root' : 'admin',
      sourceIp,
      kind: k % 2 === 0 ? 'wrong-password' : 'invalid-user',
      count,
    }));
    const security: SecurityFinding[] = [
      ...fleetBruteForce.map(([source, count]) => ({
        severity: 'warning' as const,
        kind: 'brute-force' as const,
        message: `${count} failed SSH logins from ${source}`,
      })),
      { severity: 'warning', kind: 'invalid-usernames' as const, message: '1 non-existent user name(s) tried: admin' },
    ];
    const full = i % 25 === 0;
    return {
      ...base,
      host,
      address: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      groups: [`group${i % 5}`],
      os: { ...base.os, hostname: host },
      uptimeSeconds: i % 10 === 0 ? 3600 : 86400 * 30,
      bootTime: i % 10 === 0 ? iso(windowEnd - 3600_000) : iso(windowEnd - 86400_000 * 30),
      filesystems: base.filesystems.map((f) =>
        f.mount === '/'
          ? {
              ...f,
              usedPercent: full ? 97 : 40,
              usedBytes: Math.round((f.sizeBytes * (full ? 97 : 40)) / 100),
              availableBytes: Math.round((f.sizeBytes * (full ? 3 : 60)) / 100),
            }
          : f,
      ),
      failedUnits: i % 50 === 0 ? ['backup.service'] : [],
      listening: [
        { protocol: 'tcp', address: '0.0.0.0', port: 22 },
        { protocol: 'tcp', address: '::', port: 22 },
        { protocol: 'tcp', address: '0.0.0.0', port: 22 },
        { protocol: 'udp', address: '127.0.0.53', port: 53 },
      ],
      security,
      kernelEvents: {
        source: 'journal',
        counts: { ...(i % 20 === 0 ? { 'oom-kill': 1 } : {}), ...(i === 3 ? { 'io-error': 2 } : {}) },
        examples: [
          ...(i % 20 === 0
            ? [
                {
                  kind: 'oom-kill' as const,
                  time: iso(windowEnd - 7200_000),
                  subject: 'mysqld',
                  message: 'Out of memory: Killed process 4242 (mysqld)',
                },
              ]
            : []),
          ...(i === 3
            ? [
                {
                  kind: 'io-error' as const,
                  time: iso(windowEnd - 3600_000),
                  subject: 'sdb',
                  message: 'I/O error, dev sdb, sector 1',
                },
              ]
            : []),
        ],
      },
      updates: {
        manager: 'apt',
        pending: i % 7 === 0 ? 12 : 0,
        security: i % 7 === 0 ? 3 : 0,
        securityPackages: i % 7 === 0 ? ['openssl', 'libssl3', 'openssh-server'] : [],
        rebootRequired: i % 15 === 0,
        rebootPackages: i % 15 === 0 ? ['linux-image-6.1.0-28-amd64'] : [],
        stamp: 'apt 1 2 boot',
      },
      clockSync: { tool: 'timedatectl', synchronized: i % 100 !== 1, serviceActive: true, offsetSeconds: null },
      logins: {
        ...base.logins,
        accepted: [],
        failed,
        signals: [],
        privilege: [],
      },
      problems: [
        {
          probe: 'processes',
          message:
            "97 process(es) could not be inspected (other users' processes need root): /tmp and deleted executables were checked among the visible ones only",
          expectedWithoutRoot: true,
        },
      ],
    };
  });
  return {
    run: {
      runId: '2026-11-22_all',
      reportDate: '2026-11-22',
      scope: 'all',
      windowStart: iso(windowEnd - 86_400_000),
      windowEnd: iso(windowEnd),
      timezone: 'UTC',
    },
    snapshots,
    failures: [
      { host: 'offline1', address: '10.9.9.9', groups: ['group0'], reason: 'connection refused by 10.9.9.9:22' },
    ],
  } as CollectedRun;
}
