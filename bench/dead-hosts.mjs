// Figure: what dead hosts add to a one-process run. The same healthy hosts are collected alone,
// then beside D hosts that refuse connections and D that accept TCP and never speak SSH
// (tarpits), alternating, three times each. Target: at most 20 s more, whatever D (the connect
// timeout is 10 s; dead hosts wait in parallel and hold no session slot).
// Needs the test services (bash scripts/test-services.sh) and a build (npm run build).
// Usage: node bench/dead-hosts.mjs [dead-per-kind=100]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fleetConfigYaml, startHostileHost } from '@infra-report/testkit';

const dead = Number(process.argv[2] ?? 100);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const work = mkdtempSync(path.join(tmpdir(), 'ir-dead-hosts-'));
const healthy = [1, 2, 3, 4].map((index) => ({ index }));
// Refused: addresses of 127.30.0.0/16 where nothing listens. Silent: one tarpit per host.
const refused = Array.from({ length: dead }, (_, i) => ({
  index: 0,
  name: `refused${i + 1}`,
  address: `127.30.${(i + 1) >> 8}.${(i + 1) & 255}`,
}));
const tarpits = [];
for (let i = 0; i < dead; i += 1)
  tarpits.push(await startHostileHost('silent', `127.31.${(i + 1) >> 8}.${(i + 1) & 255}`));
const silent = tarpits.map((t, i) => ({ index: 0, name: `silent${i + 1}`, address: t.address, port: t.port }));

const extra = [
  'report:',
  `  output_dir: ${work}/reports`,
  `  outbox_dir: ${work}/outbox`,
  `  state_dir: ${work}/state`,
].join('\n');
const config = (hosts) =>
  fleetConfigYaml(hosts, extra).replace(/connect_timeout_seconds: 5/, 'connect_timeout_seconds: 10');
writeFileSync(path.join(work, 'healthy.yaml'), config(healthy));
writeFileSync(path.join(work, 'with-dead.yaml'), config([...healthy, ...refused, ...silent]));

function run(file) {
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [path.join(repo, 'apps/cli/bin/infra-report.js'), 'run', '-c', path.join(work, file)],
    {
      env: { ...process.env, REDIS_URL: '', INFLUX_URL: '' },
      encoding: 'utf8',
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const reported = /(\d+)\/(\d+) hosts reported/.exec(result.stderr);
  if (!reported) throw new Error(`run failed:\n${result.stderr.slice(-2000)}`);
  return { seconds, reported: `${reported[1]}/${reported[2]}`, status: result.status };
}

const times = { healthy: [], withDead: [] };
for (let round = 1; round <= 3; round += 1) {
  const a = run('healthy.yaml');
  const b = run('with-dead.yaml');
  times.healthy.push(a.seconds);
  times.withDead.push(b.seconds);
  process.stderr.write(
    `round ${round}: 4 healthy ${a.seconds.toFixed(1)} s (${a.reported}, exit ${a.status}); with ${dead} refused + ${dead} silent ${b.seconds.toFixed(1)} s (${b.reported}, exit ${b.status})\n`,
  );
}
const median = (v) => [...v].sort((x, y) => x - y)[1];
console.log(
  `dead hosts: 4 healthy alone ${median(times.healthy).toFixed(1)} s; with ${dead} refused and ${dead} silent hosts ${median(times.withDead).toFixed(1)} s: +${(median(times.withDead) - median(times.healthy)).toFixed(1)} s (target <= 20 s; connect timeout 10 s)`,
);
await Promise.all(tarpits.map((t) => t.close()));
