import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot, testServices } from './services.js';

/** The sections one real host answered to the batch, replayed by the farm for every host of its kind. */
export interface FarmProfile {
  name: string;
  sections: { name: string; text: string; exitCode: number }[];
}

/** What one farm process serves (sent as its first IPC message). */
export interface FarmWorkerSettings {
  port: number;
  addresses: string[];
  /** Index into `profiles`, per address. */
  profileOf: number[];
  profiles: FarmProfile[];
  hostKey: string;
  clientPublicKey: string;
}

export interface FarmHost {
  name: string;
  address: string;
  profile: string;
}

export interface HostFarm {
  port: number;
  hosts: FarmHost[];
  /** known_hosts naming every farm address with the farm's host key. */
  knownHostsFile: string;
  /** The client key the farm accepts (the test fleet's). */
  clientKeyFile: string;
  user: string;
  /** Batches answered so far, across the farm's processes. */
  served(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Runs a batch script on this machine with /bin/sh, as a host would (optionally as another
 * user), and keeps its sections: what a real host answered, to be replayed by the farm.
 */
export function recordFarmProfile(name: string, script: string, options: { user?: string } = {}): FarmProfile {
  const output = options.user
    ? execFileSync('runuser', ['-u', options.user, '--', 'sh', '-s'], { input: script, encoding: 'utf8' })
    : execFileSync('sh', ['-s'], { input: script, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const nonce = /@@ir-([0-9a-f]+)@@ start/.exec(output)?.[1];
  if (!nonce) throw new Error(`the batch printed no start marker: ${output.slice(0, 200)}`);
  const marker = `@@ir-${nonce}@@`;
  const sections: FarmProfile['sections'] = [];
  const pattern = new RegExp(`${marker} begin ([a-z0-9-]+)\\n([\\s\\S]*?)\\n${marker} end \\1 (\\d+)\\n`, 'g');
  for (const m of output.matchAll(pattern)) sections.push({ name: m[1]!, text: m[2]!, exitCode: Number(m[3]) });
  return { name, sections };
}

/** Farm address i (0-based): 127.<subnet>.x.y, y from 1 to 250. */
export function farmAddress(subnet: number, index: number): string {
  return `127.${subnet}.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

/**
 * Many simulated hosts: `hosts` loopback addresses (127.<subnet>.x.y) on one port, served by
 * `processes` ssh2 servers that check the client's key, present one host key, and answer the
 * real batch with the sections of a recorded real host (the profiles, in turn per host).
 */
export async function startHostFarm(options: {
  hosts: number;
  profiles: FarmProfile[];
  processes?: number;
  port?: number;
  subnet?: number;
}): Promise<HostFarm> {
  const { ssh } = testServices();
  const port = options.port ?? 2299;
  const subnet = options.subnet ?? 30;
  const processes = Math.max(1, Math.min(options.processes ?? 2, options.hosts));
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-host-farm-'));
  const keyFile = path.join(dir, 'host_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'host-farm', '-f', keyFile]);
  const hostPublic = readFileSync(`${keyFile}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const hosts = Array.from({ length: options.hosts }, (_, i) => ({
    name: `farm${String(i + 1).padStart(5, '0')}`,
    address: farmAddress(subnet, i),
    profile: options.profiles[i % options.profiles.length]!.name,
  }));
  const knownHostsFile = path.join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, hosts.map((h) => `[${h.address}]:${port} ${hostPublic}`).join('\n') + '\n');
  // The built worker (tests may load this module from its source, under vitest).
  const worker = path.join(repoRoot, 'packages/testkit/dist/host-farm-worker.js');
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(
      Array.from({ length: processes }, (_, p) => {
        const mine = hosts.map((h, i) => ({ h, i })).filter(({ i }) => i % processes === p);
        const settings: FarmWorkerSettings = {
          port,
          addresses: mine.map(({ h }) => h.address),
          profileOf: mine.map(({ i }) => i % options.profiles.length),
          profiles: options.profiles,
          hostKey: readFileSync(keyFile, 'utf8'),
          clientPublicKey: readFileSync(`${ssh.clientKey}.pub`, 'utf8'),
        };
        const child = fork(worker, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        return new Promise<void>((resolve, reject) => {
          child.once('message', (message: unknown) =>
            message === 'ready'
              ? resolve()
              : reject(new Error(`host farm process: ${(message as { error?: string }).error}`)),
          );
          child.once('exit', (code) => reject(new Error(`host farm process exited with ${code}`)));
          child.send(settings);
        });
      }),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    hosts,
    knownHostsFile,
    clientKeyFile: ssh.clientKey,
    user: ssh.user,
    async served() {
      const counts = await Promise.all(
        children.map(
          (child) =>
            new Promise<number>((resolve) => {
              child.once('message', (m: unknown) => resolve((m as { served?: number }).served ?? 0));
              child.send('served');
            }),
        ),
      );
      return counts.reduce((a, b) => a + b, 0);
    },
    stop,
  };
}

/**
 * A configuration naming every farm host, with the farm's SSH settings, the given pipeline lines
 * (Redis, SMTP, ...), no package check (the farm replays recorded answers) and UTC.
 */
export function farmConfigYaml(farm: HostFarm, pipeline: string[]): string {
  return [
    'ssh:',
    `  user: ${farm.user}`,
    `  port: ${farm.port}`,
    `  private_key_file: ${farm.clientKeyFile}`,
    `  known_hosts_file: ${farm.knownHostsFile}`,
    '  connect_timeout_seconds: 30',
    ...pipeline,
    'artifacts: { backend: redis, retention_days: 1 }',
    'collect: { updates: false }',
    'report: { timezone: UTC }',
    'hosts:',
    ...farm.hosts.map((h) => `  - { name: ${h.name}, address: ${h.address} }`),
    '',
  ].join('\n');
}
