// Figure: live sampling of a fleet of N real sshd hosts every INTERVAL seconds for MINUTES,
// infra-report watch against OpenSSH running one command per host per round (what a cron'd
// `ssh host cat /proc/loadavg` loop or Ansible ad-hoc polling costs).
// Prints: the collector's CPU per host per round (steady state: a 1-round run is subtracted, so
// startup does not count), connections opened per host (from watch, and established TCP
// connections to the fleet counted mid-run with ss), peak RSS; OpenSSH's client CPU per command
// measured alternately in the same run (before and after), and the ratio.
// Targets: at most 3 ms of collector CPU per host per round; 1 connection per host.
// Needs root (it starts the sshd fleet: scripts/sshd-fleet.sh), Debian's time, a build.
// Usage: node bench/sample-fleet.mjs [hosts=200] [interval=10] [minutes=5]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fleetSshYaml, port, repo, startBenchFleet, user } from './bench-fleet.mjs';
import { setTimeout, clearTimeout } from 'node:timers';

const hosts = Number(process.argv[2] ?? 200);
const interval = Number(process.argv[3] ?? 10);
const minutes = Number(process.argv[4] ?? 5);
const rounds = Math.max(2, Math.round((minutes * 60) / interval));
execFileSync('sh', ['-c', 'command -v /usr/bin/time || apt-get install -y -qq --no-install-recommends time'], {
  stdio: 'ignore',
});
const { fleet, key, knownHosts, stop: stopFleet } = startBenchFleet(hosts);
const work = mkdtempSync(path.join(tmpdir(), 'ir-sample-bench-'));
const configFile = path.join(work, 'config.yaml');
writeFileSync(
  configFile,
  [
    ...fleetSshYaml({ key, knownHosts }),
    `sample: { interval_seconds: ${interval} }`,
    'collector: { concurrency: 50 }',
    `report: { state_dir: ${work}/state }`,
    'hosts:',
    ...fleet.map((h) => `  - { name: ${h.name}, address: ${h.address} }`),
    '',
  ].join('\n'),
);

/** infra-report watch for n rounds: its CPU (user+system), peak RSS, what it says, TCP connections seen mid-run. */
function watch(n) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      '/usr/bin/time',
      [
        '-f',
        '@@time %U %S %M',
        process.execPath,
        path.join(repo, 'apps/cli/bin/infra-report.js'),
        'watch',
        '--rounds',
        String(n),
        '-c',
        configFile,
      ],
      { env: { ...process.env, REDIS_URL: '', INFLUX_URL: '' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    let established = null;
    const probe =
      n > 2
        ? setTimeout(
            () => {
              const out = execFileSync('ss', ['-Htn', 'state', 'established', `( dport = :${port} )`], {
                encoding: 'utf8',
              });
              established = out.split('\n').filter((l) => l.includes('127.10.')).length;
            },
            ((n * interval) / 2) * 1000,
          )
        : null;
    child.on('close', (code) => {
      if (probe) clearTimeout(probe);
      const [, userS, systemS, maxKb] = /@@time (\S+) (\S+) (\d+)/.exec(stderr) ?? [];
      const opened = /(\d+) connection\(s\) opened for (\d+) host/.exec(stderr);
      if (code !== 0 || !opened) return reject(new Error(`watch failed (exit ${code}):\n${stderr.slice(-2000)}`));
      resolve({
        cpuMs: (Number(userS) + Number(systemS)) * 1000,
        rssMb: Number(maxKb) / 1024,
        opened: Number(opened[1]),
        established,
        alerts: (stderr.match(/^ALERT/gm) ?? []).length,
      });
    });
  });
}

/** OpenSSH: one `ssh host cat /proc/loadavg` per host of a sample of 20, its client CPU per command. */
function openSsh() {
  const sample = fleet.slice(0, 20);
  let cpuMs = 0;
  for (const h of sample) {
    const result = spawnSyncTime(h.address);
    cpuMs += result;
  }
  return cpuMs / sample.length;
}

function spawnSyncTime(address) {
  const result = execFileSync(
    'sh',
    [
      '-c',
      `/usr/bin/time -f '@@time %U %S' ssh -i ${key} -p ${port} -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes -o BatchMode=yes ${user}@${address} 'cat /proc/loadavg /proc/meminfo; df -P -B1' 2>&1 >/dev/null | tail -1`,
    ],
    { encoding: 'utf8' },
  );
  const [, u, s] = /@@time (\S+) (\S+)/.exec(result) ?? [];
  return (Number(u) + Number(s)) * 1000;
}

const peerBefore = openSsh();
const one = await watch(1);
const full = await watch(rounds);
const peerAfter = openSsh();
const steadyPerHostRound = (full.cpuMs - one.cpuMs) / ((rounds - 1) * hosts);
const peer = (peerBefore + peerAfter) / 2;
console.log(`hosts ${hosts}, every ${interval} s, ${rounds} rounds (${minutes} min)`);
console.log(
  `infra-report watch: ${steadyPerHostRound.toFixed(2)} ms CPU per host per round (steady state; whole run ${(full.cpuMs / (rounds * hosts)).toFixed(2)} ms), ` +
    `${(full.opened / hosts).toFixed(2)} connection(s) opened per host, ${full.established ?? '?'} established mid-run, peak RSS ${full.rssMb.toFixed(0)} MB`,
);
console.log(
  `OpenSSH, one command per host per round: ${peer.toFixed(2)} ms client CPU per command (before ${peerBefore.toFixed(2)}, after ${peerAfter.toFixed(2)})`,
);
console.log(`ratio: ${(steadyPerHostRound / peer).toFixed(3)} (infra-report / OpenSSH)`);
stopFleet();
