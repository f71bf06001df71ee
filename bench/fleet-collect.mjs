// Figure: collecting a fleet of N real sshd hosts, infra-report against parallel-ssh.
// Compared with, alternating, in the same run (three times each by default):
//   pssh-small  parallel-ssh -p 50 running a small workload (loadavg, uptime, meminfo, df, who, ps)
//   pssh-batch  parallel-ssh -p 50 running infra-report's own batch script (sent on stdin)
//   infra-report run with the full probe set, concurrency 50, PDF/XLSX/.eml written
// Prints medians of wall time, whole-machine CPU (/proc/stat), the tool's own CPU per host
// (the process and its children: ssh clients for parallel-ssh), host CPU per host (machine CPU
// minus the tool's: sshd, shells, commands), peak RSS, and the ratios.
// Targets at 200 hosts: steady state (rounds 2 on) <= 0.8x pssh-small; wall <= 0.5x pssh-small and
// <= 0.4x pssh-batch (the fleet-scale issue's); tool CPU <= 20 ms/host;
// peak RSS < 250 MB (200 hosts), < 400 MB (1,000 hosts).
// Needs root (it starts the sshd fleet: scripts/sshd-fleet.sh), Debian's pssh and time, a build.
// Usage: node bench/fleet-collect.mjs [hosts=200] [rounds=3]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fleetSshYaml, port, repo, startBenchFleet, user } from './bench-fleet.mjs';
import { parseConfig, planRun } from '@infra-report/shared';
import { collectionScript } from '@infra-report/collector';

const hosts = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 3);
for (const [command, pkg] of [
  ['parallel-ssh', 'pssh'],
  ['/usr/bin/time', 'time'],
]) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
  } catch {
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { stdio: 'inherit' });
  }
}
const { fleet, key, knownHosts, stop: stopFleet } = startBenchFleet(hosts);

const work = mkdtempSync(path.join(tmpdir(), 'ir-fleet-bench-'));
const configFile = path.join(work, 'config.yaml');
writeFileSync(
  configFile,
  [
    ...fleetSshYaml({ key, knownHosts }),
    'collector: { concurrency: 50 }',
    // parallel-ssh's workload has no package check; ours runs it only when the package state changes.
    'collect: { updates: false }',
    'report:',
    `  output_dir: ${work}/reports`,
    `  outbox_dir: ${work}/outbox`,
    `  state_dir: ${work}/state`,
    'hosts:',
    ...fleet.map((h) => `  - { name: ${h.name}, address: ${h.address} }`),
    '',
  ].join('\n'),
);
const hostsFile = path.join(work, 'pssh-hosts');
writeFileSync(hostsFile, fleet.map((h) => `${user}@${h.address}:${port}`).join('\n') + '\n');
const config = parseConfig(readFileSync(configFile, 'utf8'), configFile, {
  env: { HOME: process.env.HOME ?? '/root' },
});
const { spec, hosts: resolved } = planRun(config, {}, new Date());
const batchFile = path.join(work, 'batch.sh');
writeFileSync(batchFile, collectionScript(resolved[0], spec));

const sshOptions = `-i ${key} -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes -o BatchMode=yes`;
const small =
  'cat /proc/loadavg /proc/uptime /proc/meminfo; df -P -B1; df -P -i; who; ps -eo pid,comm,args --no-headers | wc -l';
/** parallel-ssh at concurrency 50, outputs kept in a directory like ours are. */
const pssh = (outDir, command, flags = []) => [
  'parallel-ssh',
  ...flags,
  ...['-h', hostsFile, '-p', '50', '-t', '120', '-o', `${work}/${outDir}`, '-x', sshOptions, command],
];
const workloads = {
  'pssh-small': { argv: pssh('out-small', small) },
  'pssh-batch': { argv: pssh('out-batch', '/bin/sh -s', ['-I']), stdin: batchFile },
  'infra-report': {
    argv: [process.execPath, path.join(repo, 'apps/cli/bin/infra-report.js'), 'run', '-c', configFile],
    env: { REDIS_URL: '', INFLUX_URL: '' },
    check: (stderr) => stderr.includes(`${hosts}/${hosts} hosts reported`),
  },
};

function machineCpuMs() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const busy = fields.reduce((a, b) => a + b, 0) - fields[3] - fields[4]; // all but idle and iowait
  return busy * 10; // USER_HZ = 100
}

function measure(name) {
  const { argv, stdin, env, check } = workloads[name];
  const before = machineCpuMs();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '@@time %U %S %M', ...argv], {
      env: { ...process.env, ...env },
      stdio: [stdin ? 'pipe' : 'ignore', 'ignore', 'pipe'],
    });
    if (stdin) child.stdin.end(readFileSync(stdin));
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => {
      const wall = (performance.now() - started) / 1000;
      const machine = machineCpuMs() - before;
      const [, user, system, maxKb] = /@@time (\S+) (\S+) (\d+)/.exec(stderr) ?? [];
      if (code !== 0 || (check && !check(stderr)))
        return reject(new Error(`${name} failed (exit ${code}):\n${stderr.slice(-2000)}`));
      const tool = (Number(user) + Number(system)) * 1000;
      // infra-report also says what its collection phase alone cost (startup and render excluded).
      const phase = /collected \d+ host\(s\) in ([\d.]+) s, ([\d.]+) ms of CPU per host/.exec(stderr);
      resolve({
        wall,
        machine,
        tool,
        rssMb: Number(maxKb) / 1024,
        collectionWall: phase ? Number(phase[1]) : null,
        collectionPerHost: phase ? Number(phase[2]) : null,
      });
    });
  });
}

const results = Object.fromEntries(Object.keys(workloads).map((name) => [name, []]));
for (let round = 1; round <= rounds; round += 1) {
  for (const name of Object.keys(workloads)) {
    const result = await measure(name);
    results[name].push(result);
    process.stderr.write(
      `round ${round} ${name}: ${result.wall.toFixed(1)} s${result.collectionWall === null ? '' : ` (collection ${result.collectionWall.toFixed(1)} s)`}, machine CPU ${(result.machine / 1000).toFixed(1)} s, tool CPU ${(result.tool / 1000).toFixed(1)} s, peak RSS ${result.rssMb.toFixed(0)} MB\n`,
    );
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const row = (name) => {
  const r = results[name];
  return {
    name,
    wall: median(r.map((x) => x.wall)),
    machine: median(r.map((x) => x.machine)) / 1000,
    toolPerHost: median(r.map((x) => x.tool)) / hosts,
    hostPerHost: median(r.map((x) => x.machine - x.tool)) / hosts,
    rss: median(r.map((x) => x.rssMb)),
    collectionPerHost: r[0].collectionPerHost === null ? null : median(r.map((x) => x.collectionPerHost)),
  };
};
const rows = Object.keys(workloads).map(row);
console.log(`\nfleet collection, ${hosts} sshd hosts, concurrency 50, median of ${rounds} alternating rounds`);
console.log('| workload | wall s | machine CPU s | tool CPU ms/host | host CPU ms/host | peak RSS MB |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.wall.toFixed(1)} | ${r.machine.toFixed(1)} | ${r.toolPerHost.toFixed(1)} | ${r.hostPerHost.toFixed(1)} | ${r.rss.toFixed(0)} |`,
  );
}
const [smallRow, batchRow, ours] = rows;
// Rounds 2 and later find every host's auth-log position and package state remembered: the
// steady state of a daily run. Round 1 is the first run.
const steady = results['infra-report'].slice(1).map((x) => x.wall);
if (steady.length > 0) {
  const steadyWall = steady.length % 2 ? median(steady) : steady.reduce((a, b) => a + b, 0) / steady.length;
  const first = results['infra-report'][0];
  console.log(
    `\ninfra-report steady state (rounds 2-${rounds}): wall ${steadyWall.toFixed(1)} s, ${(steadyWall / smallRow.wall).toFixed(2)}x pssh-small (target <= 0.8); first run ${first.wall.toFixed(1)} s (${(first.wall / smallRow.wall).toFixed(2)}x)`,
  );
}
console.log(
  `infra-report / pssh-small: wall ${(ours.wall / smallRow.wall).toFixed(2)}x (target <= 0.5), machine CPU ${(ours.machine / smallRow.machine).toFixed(2)}x`,
);
console.log(
  `infra-report / pssh-batch: wall ${(ours.wall / batchRow.wall).toFixed(2)}x (target <= 0.4), machine CPU ${(ours.machine / batchRow.machine).toFixed(2)}x`,
);
console.log(
  `infra-report: ${ours.toolPerHost.toFixed(1)} ms collector CPU per host for the whole run, ${ours.collectionPerHost?.toFixed(1)} ms for the collection alone (target <= 20), peak RSS ${ours.rss.toFixed(0)} MB`,
);
rmSync(work, { recursive: true, force: true });
stopFleet();
