// Figure: time and peak memory to render the PDF and XLSX of one run of N hosts.
// Compared with the targets: 1,000 hosts under 3 s and 300 MB; 10,000 hosts under 30 s and 600 MB.
// Usage: node bench/render-fleet.mjs 1000   (one size per process, so peak memory is its own)
// Needs a build (npm run build).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFilesystemArtifactStore, parseConfig, silentLogger } from '@infra-report/shared';
import { renderRun } from '@infra-report/renderer';

const hosts = Number(process.argv[2] ?? 1000);
const targets = { 1000: { seconds: 3, mb: 300 }, 10000: { seconds: 30, mb: 600 } };
const windowEnd = Date.parse('2026-11-22T07:00:00Z');
const iso = (t) => new Date(t).toISOString();
const run = {
  runId: '2026-11-22_all',
  reportDate: '2026-11-22',
  scope: 'all',
  windowStart: iso(windowEnd - 86_400_000),
  windowEnd: iso(windowEnd),
  timezone: 'UTC',
};

function snapshot(i) {
  const host = `host${String(i).padStart(5, '0')}`;
  const fs = (mount, size, pct) => ({
    device: `/dev/sd${mount.length}`,
    fsType: 'ext4',
    mount,
    sizeBytes: size,
    usedBytes: Math.round((size * pct) / 100),
    availableBytes: Math.round((size * (100 - pct)) / 100),
    usedPercent: pct,
    inodesTotal: 6553600,
    inodesUsed: 100000,
    inodesFree: 6453600,
  });
  return {
    host,
    address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    groups: [`group${i % 20}`],
    labels: {},
    collectedAt: iso(windowEnd + 5000),
    sshLatencyMs: 40,
    collectedBytes: 12000,
    os: {
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      kernel: 'Linux 6.1.0-27-amd64',
      arch: 'x86_64',
      hostname: host,
      utcOffset: '+0000',
    },
    cpuCount: 8,
    uptimeSeconds: 86400 * (i % 400),
    bootTime: iso(windowEnd - 86400_000 * (i % 400)),
    load: { one: 0.5, five: 0.6, fifteen: 0.7 },
    cpu: { usagePercent: 10, user: 7, system: 3, idle: 90, iowait: 0, steal: 0 },
    temperatures: null,
    memory: {
      totalBytes: 16 * 1024 ** 3,
      availableBytes: 8 * 1024 ** 3,
      usedBytes: 8 * 1024 ** 3,
      usedPercent: 50,
      swapTotalBytes: 0,
      swapFreeBytes: 0,
    },
    filesystems: [
      fs('/', 50 * 1024 ** 3, 40 + (i % 60)),
      fs('/var', 100 * 1024 ** 3, 30),
      fs('/srv', 500 * 1024 ** 3, 20),
    ],
    processes: { total: 200, running: 2, sleeping: 198, blocked: 0, zombies: 0, stopped: 0 },
    failedUnits: i % 50 === 0 ? ['backup.service'] : [],
    listening: [{ protocol: 'tcp', address: '0.0.0.0', port: 22 }],
    suspiciousProcesses: [],
    backups: [],
    security: [],
    usersNow: [],
    logins: {
      source: '/var/log/auth.log',
      windowStart: run.windowStart,
      windowEnd: run.windowEnd,
      accepted: [
        { time: iso(windowEnd - 3600_000), user: 'deploy', sourceIp: '192.0.2.10', port: 50000, method: 'publickey' },
      ],
      failed:
        i % 10 === 0
          ? Array.from({ length: 20 }, (_, k) => ({
              time: iso(windowEnd - k * 60_000),
              user: `user${k}`,
              sourceIp: `198.51.100.${k}`,
              kind: 'invalid-user',
              count: 3,
            }))
          : [],
      signals: [],
      privilege: [],
    },
    problems: [],
  };
}

const collected = {
  run,
  snapshots: Array.from({ length: hosts }, (_, i) => snapshot(i)),
  failures: [{ host: 'offline', address: '10.255.255.1', groups: [], reason: 'connection refused' }],
};
const dir = mkdtempSync(path.join(tmpdir(), 'ir-bench-render-'));
const report = parseConfig('report: { timezone: UTC }\n', 'bench.yaml', { env: {} }).report;
const started = performance.now();
const result = await renderRun(collected, {
  artifacts: createFilesystemArtifactStore(dir),
  report,
  now: () => new Date(windowEnd),
  logger: silentLogger(),
});
const seconds = (performance.now() - started) / 1000;
let pages = '?';
try {
  const pdf = path.join(dir, result.artifacts.find((a) => a.fileName.endsWith('.pdf')).fileName);
  pages = /Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))?.[1] ?? '?';
} catch {
  // pdfinfo (poppler-utils) is optional here
}
const peakMb = process.resourceUsage().maxRSS / 1024;
const target = targets[hosts];
console.log(
  `${hosts} hosts: rendered in ${seconds.toFixed(2)} s, peak memory ${peakMb.toFixed(0)} MB (process RSS, input included)`,
);
console.log(
  `files: ${result.artifacts.map((a) => `${a.fileName} ${(a.bytes / 1024 / 1024).toFixed(1)} MB`).join(', ')}; PDF pages: ${pages}`,
);
if (target)
  console.log(
    `target: under ${target.seconds} s and ${target.mb} MB -> ${seconds < target.seconds && peakMb < target.mb ? 'met' : 'NOT met'}`,
  );
rmSync(dir, { recursive: true, force: true });
