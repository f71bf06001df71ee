// Figure: the host CPU one collection costs (the batch script run on this machine, as a host
// would run it), with the package check's state remembered (an unchanged host) and without;
// then each probe of the registry on its own (its batch less an empty batch), median of rounds.
// The host's auth log is a real one (loghub's OpenSSH sample) with 1,000 lines new since the
// remembered position: what a host on the internet collects on an ordinary day.
// Usage: node bench/host-cpu.mjs [rounds=5] [--user NAME]   (needs a build; --user runs the batch
// as that user with runuser, as a collection without root would: e.g. the test fleet's irtest)
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, planRun } from '@infra-report/shared';
import { collectionScript, probeScripts } from '@infra-report/collector';
import { repo } from './bench-fleet.mjs';

const args = process.argv.slice(2);
const userAt = args.indexOf('--user');
const asUser = userAt >= 0 ? args[userAt + 1] : null;
if (userAt >= 0) args.splice(userAt, 2);
const rounds = Number(args[0] ?? 5);
/** Per probe: what it may cost an unchanged host, ms of CPU (bench/README.md). */
const budgets = {
  system: 3,
  meminfo: 1,
  disk: 3,
  who: 1,
  processes: 11,
  'failed-units': 3,
  listening: 7,
  temperature: 1,
  counters: 0,
  kernel: 7,
  'clock-sync': 4,
  updates: 2,
  certificates: 1,
  backups: 1,
  cpu: 4,
  'auth-log': 10,
};
/** What ten runs in a row resolve: a probe is over its budget only past this much. */
const resolutionMs = 0.5;
// The scripts and the auth log go through files --user's account can read.
const scratch = mkdtempSync(join(tmpdir(), 'ir-host-cpu-'));
chmodSync(scratch, 0o755);
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

// The host's auth log: 2,000 real sshd lines (loghub's OpenSSH sample), read up to half-way by
// "yesterday's" collection, so an unchanged host reads 1,000 new lines, as a host on the internet
// gets in a day, not the nothing of a machine without sshd.
const authLog = join(scratch, 'auth.log');
copyFileSync(join(repo, 'test-fixtures/auth-logs/loghub-OpenSSH_2k.log'), authLog);
chmodSync(authLog, 0o644);
const authLogText = readFileSync(authLog);
const previousAuthLog = {
  position: {
    path: authLog,
    inode: String(statSync(authLog).ino),
    // At a line's end, as a collection leaves it.
    offset: authLogText.lastIndexOf(10, authLogText.length >> 1) + 1,
    fingerprint: execFileSync('sh', ['-c', 'head -c 512 "$1" | cksum', 'sh', authLog], { encoding: 'utf8' }).split(
      ' ',
    )[0],
    fingerprintBytes: 512,
  },
  events: { accepted: [], failed: [], signals: [], privilege: [] },
  lastEventTime: null,
};
const config = parseConfig(
  `hosts: [{ name: local, local: true }]\ncollect: { auth_log: ${JSON.stringify(authLog)} }\n`,
  'bench.yaml',
  { env: { HOME: '/root' } },
);
const { spec, hosts } = planRun(config, {}, new Date());
const host = hosts[0];

/**
 * Children's user+system CPU in ms of running `script` with /bin/sh, from bash's `times`, per run
 * of `repeat` runs in a row: `times` counts whole milliseconds, so a probe of 1-2 ms is only
 * resolved over several runs.
 */
function hostCpuMs(script, repeat = 1) {
  const file = join(scratch, 'batch.sh');
  writeFileSync(file, script, { mode: 0o644 });
  // bash's `times` of the shell that ran the batch: runuser's own start-up is not counted.
  const measured = `i=0; while [ $i -lt ${repeat} ]; do sh -s < ${file} >/dev/null 2>&1; i=$((i + 1)); done; times`;
  const out = execFileSync(
    asUser ? 'runuser' : 'bash',
    asUser ? ['-u', asUser, '--', 'bash', '-c', measured] : ['-c', measured],
    { encoding: 'utf8' },
  );
  const children = out.trim().split('\n')[1] ?? '';
  const [user, system] = children.split(/\s+/).map((t) => {
    const m = /(\d+)m([\d.]+)s/.exec(t);
    return m ? Number(m[1]) * 60_000 + Number(m[2]) * 1000 : 0;
  });
  return (user + system) / repeat;
}

// First run: no remembered package state (the simulation runs); its stamp is what a second run sends.
const first = collectionScript(host, spec, null, 'bench', null);
const coldMs = hostCpuMs(first);
const stamp = /ir-stamp (.*)/.exec(execFileSync('sh', ['-s'], { input: first, encoding: 'utf8' }))?.[1] ?? null;
const warm = [];
for (let i = 0; i < rounds; i += 1)
  warm.push(hostCpuMs(collectionScript(host, spec, previousAuthLog, 'bench', { stamp, securityPackages: [] })));
warm.sort((a, b) => a - b);
console.log(
  `host CPU per collection${asUser ? ` as ${asUser}` : ' as root'}: first run ${coldMs.toFixed(0)} ms (package simulation included)`,
);
const unchanged = warm[Math.floor(warm.length / 2)];
console.log(
  `unchanged host: median ${unchanged.toFixed(0)} ms over ${rounds} runs (budget: 50 ms) ${unchanged <= 50 ? 'within' : 'OVER'}`,
);

// Each probe alone, the package state remembered (an unchanged host).
const perProbe = probeScripts(host, spec, { stamp, securityPackages: [] }, 'bench', previousAuthLog).map(
  ({ probe, script }) => {
    const runs = [];
    // Ten runs in a row each round; the cpu probe's runs wait out their one-second window, so two.
    const repeat = probe === 'cpu' ? 2 : 10;
    for (let i = 0; i < rounds; i += 1) runs.push(hostCpuMs(script, repeat));
    runs.sort((a, b) => a - b);
    return { probe, ms: runs[Math.floor(runs.length / 2)] };
  },
);
const base = perProbe[0].ms;
console.log(`per probe (median of ${rounds}, less the empty batch's ${base.toFixed(1)} ms), against its budget:`);
for (const { probe, ms } of perProbe.slice(1)) {
  const cost = Math.max(0, ms - base);
  const budget = budgets[probe];
  console.log(
    `  ${probe.padEnd(14)} ${cost.toFixed(1).padStart(5)} ms  budget ${budget ?? '?'} ms${budget !== undefined && cost > budget + resolutionMs ? '  OVER' : ''}`,
  );
}
