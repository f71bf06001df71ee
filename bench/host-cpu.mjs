// Figure: the host CPU one collection costs (the batch script run on this machine, as a host
// would run it), with the package check's state remembered (an unchanged host) and without;
// then each probe of the registry on its own (its batch less an empty batch), median of rounds.
// Usage: node bench/host-cpu.mjs [rounds=5] [--user NAME]   (needs a build; --user runs the batch
// as that user with runuser, as a collection without root would: e.g. the test fleet's irtest)
import { execFileSync } from 'node:child_process';
import { parseConfig, planRun } from '@infra-report/shared';
import { collectionScript, probeScripts } from '@infra-report/collector';

const args = process.argv.slice(2);
const userAt = args.indexOf('--user');
const asUser = userAt >= 0 ? args[userAt + 1] : null;
if (userAt >= 0) args.splice(userAt, 2);
const rounds = Number(args[0] ?? 5);
/** Per probe: what it may cost an unchanged host, ms of CPU (bench/README.md). */
const budgets = {
  system: 4,
  meminfo: 1,
  disk: 5,
  who: 2,
  processes: 7,
  'failed-units': 3,
  listening: 5,
  temperature: 1,
  counters: 0,
  kernel: 6,
  'clock-sync': 4,
  updates: 3,
  certificates: 1,
  backups: 1,
  cpu: 3,
  'auth-log': 6,
};
const config = parseConfig('hosts: [{ name: local, local: true }]\n', 'bench.yaml', { env: { HOME: '/root' } });
const { spec, hosts } = planRun(config, {}, new Date());
const host = hosts[0];

/** Children's user+system CPU in ms of running `script` with /bin/sh, from bash's `times`. */
function hostCpuMs(script) {
  // bash's `times` of the shell that ran the batch: runuser's own start-up is not counted.
  const measured = 'sh -s >/dev/null 2>&1; times';
  const out = execFileSync(
    asUser ? 'runuser' : 'bash',
    asUser ? ['-u', asUser, '--', 'bash', '-c', measured] : ['-c', measured],
    {
      input: script,
      encoding: 'utf8',
    },
  );
  const children = out.trim().split('\n')[1] ?? '';
  const [user, system] = children.split(/\s+/).map((t) => {
    const m = /(\d+)m([\d.]+)s/.exec(t);
    return m ? Number(m[1]) * 60_000 + Number(m[2]) * 1000 : 0;
  });
  return user + system;
}

// First run: no remembered package state (the simulation runs); its stamp is what a second run sends.
const first = collectionScript(host, spec, null, 'bench', null);
const coldMs = hostCpuMs(first);
const stamp = /ir-stamp (.*)/.exec(execFileSync('sh', ['-s'], { input: first, encoding: 'utf8' }))?.[1] ?? null;
const warm = [];
for (let i = 0; i < rounds; i += 1)
  warm.push(hostCpuMs(collectionScript(host, spec, null, 'bench', { stamp, securityPackages: [] })));
warm.sort((a, b) => a - b);
console.log(
  `host CPU per collection${asUser ? ` as ${asUser}` : ' as root'}: first run ${coldMs.toFixed(0)} ms (package simulation included)`,
);
const unchanged = warm[Math.floor(warm.length / 2)];
console.log(
  `unchanged host: median ${unchanged.toFixed(0)} ms over ${rounds} runs (budget: 50 ms) ${unchanged <= 50 ? 'within' : 'OVER'}`,
);

// Each probe alone, the package state remembered (an unchanged host).
const perProbe = probeScripts(host, spec, { stamp, securityPackages: [] }, 'bench').map(({ probe, script }) => {
  const runs = [];
  for (let i = 0; i < rounds; i += 1) runs.push(hostCpuMs(script));
  runs.sort((a, b) => a - b);
  return { probe, ms: runs[Math.floor(runs.length / 2)] };
});
const base = perProbe[0].ms;
console.log(`per probe (median of ${rounds}, less the empty batch's ${base.toFixed(1)} ms), against its budget:`);
for (const { probe, ms } of perProbe.slice(1)) {
  const cost = Math.max(0, ms - base);
  const budget = budgets[probe];
  console.log(
    `  ${probe.padEnd(14)} ${cost.toFixed(1).padStart(5)} ms  budget ${budget ?? '?'} ms${budget !== undefined && cost > budget ? '  OVER' : ''}`,
  );
}
