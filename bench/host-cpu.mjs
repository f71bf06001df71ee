// Figure: the host CPU one collection costs (the batch script run on this machine, as a host
// would run it), with the package check's state remembered (an unchanged host) and without;
// then each probe of the registry on its own (its batch less an empty batch), median of rounds.
// Usage: node bench/host-cpu.mjs [rounds=5]   (needs a build; run as the user a host would see)
import { execFileSync } from 'node:child_process';
import { parseConfig, planRun } from '@infra-report/shared';
import { collectionScript, probeScripts } from '@infra-report/collector';

const rounds = Number(process.argv[2] ?? 5);
const config = parseConfig('hosts: [{ name: local, local: true }]\n', 'bench.yaml', { env: { HOME: '/root' } });
const { spec, hosts } = planRun(config, {}, new Date());
const host = hosts[0];

/** Children's user+system CPU in ms of running `script` with /bin/sh, from bash's `times`. */
function hostCpuMs(script) {
  const out = execFileSync('bash', ['-c', 'sh -s >/tmp/ir-host-cpu.out 2>&1; times'], {
    input: script,
    encoding: 'utf8',
  });
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
console.log(`host CPU per collection: first run ${coldMs.toFixed(0)} ms (package simulation included)`);
console.log(
  `unchanged package state: median ${warm[Math.floor(warm.length / 2)].toFixed(0)} ms over ${rounds} runs (the fleet-scale budget: 60 ms)`,
);

// Each probe alone, the package state remembered (an unchanged host).
const perProbe = probeScripts(host, spec, { stamp, securityPackages: [] }, 'bench').map(({ probe, script }) => {
  const runs = [];
  for (let i = 0; i < rounds; i += 1) runs.push(hostCpuMs(script));
  runs.sort((a, b) => a - b);
  return { probe, ms: runs[Math.floor(runs.length / 2)] };
});
const base = perProbe[0].ms;
console.log(`per probe (median of ${rounds}, less the empty batch's ${base.toFixed(1)} ms):`);
for (const { probe, ms } of perProbe.slice(1))
  console.log(`  ${probe.padEnd(14)} ${Math.max(0, ms - base).toFixed(1)} ms`);
