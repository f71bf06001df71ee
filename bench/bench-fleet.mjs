// The benchmarks' sshd fleet: N real sshd on 127.10.x.y:2222 (away from the test suite's
// addresses), started by scripts/sshd-fleet.sh, with the test user's key and a known_hosts.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const port = 2222;
export const user = 'irtest';

/** The pid of host`i`'s sshd when it is running, else null. */
function runningSshd(fleetDir, i) {
  const pidFile = path.join(fleetDir, 'hosts', `host${i}`, 'sshd.pid');
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

/**
 * Starts (or reuses) the fleet; its hosts, client key and known_hosts, and stop(), which stops
 * the sshd this start started (a fleet left running changes what every later run sees).
 */
export function startBenchFleet(hosts) {
  const fleetDir = process.env.INFRA_REPORT_BENCH_FLEET ?? '/var/tmp/infra-report-bench-fleet';
  const before = new Set(Array.from({ length: hosts }, (_, i) => i + 1).filter((i) => runningSshd(fleetDir, i)));
  execFileSync(
    'bash',
    [path.join(repo, 'scripts/sshd-fleet.sh'), fleetDir, String(hosts), String(10 * 65536 + 1), String(port), user],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const fleet = readFileSync(path.join(fleetDir, 'fleet.txt'), 'utf8')
    .trim()
    .split('\n')
    .slice(0, hosts)
    .map((line) => {
      const [name, address] = line.split(' ');
      return { name, address };
    });
  const stop = () => {
    for (let i = 1; i <= hosts; i += 1) {
      const pid = before.has(i) ? null : runningSshd(fleetDir, i);
      if (pid) process.kill(pid, 'SIGTERM');
    }
  };
  return { fleet, key: path.join(fleetDir, 'client_key'), knownHosts: path.join(fleetDir, 'known_hosts'), stop };
}

/** The ssh: section of an infra-report configuration for the fleet. */
export function fleetSshYaml({ key, knownHosts }) {
  return [
    'ssh:',
    `  user: ${user}`,
    `  port: ${port}`,
    `  private_key_file: ${key}`,
    `  known_hosts_file: ${knownHosts}`,
  ];
}
