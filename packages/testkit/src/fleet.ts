import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig, type Config, type ResolvedHost } from '@infra-report/shared';
import { fleetAddress, testServices } from './services.js';

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A classic syslog timestamp ("Nov  2 08:05:09") in UTC, the test machine's zone. */
export function syslogTime(instant: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${months[instant.getUTCMonth()]} ${String(instant.getUTCDate()).padStart(2, ' ')} ${pad(instant.getUTCHours())}:${pad(instant.getUTCMinutes())}:${pad(instant.getUTCSeconds())}`;
}

/** Writes the auth log of test host `name`; returns its path. */
export function writeFleetAuthLog(name: string, lines: string[], mode = 0o644): string {
  const dir = path.join(testServices().ssh.logs, name);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'auth.log');
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  chmodSync(file, mode);
  return file;
}

export interface FleetHostSpec {
  index: number;
  name?: string;
  authLog?: string;
  knownHostsFile?: string;
  address?: string;
  port?: number;
  /** Check pending updates (off by default in tests). */
  updates?: boolean;
}

/** YAML for hosts of the sshd fleet, with the test key and known_hosts. */
export function fleetConfigYaml(hosts: FleetHostSpec[], extra = ''): string {
  const { ssh } = testServices();
  const lines = [
    'ssh:',
    `  user: ${ssh.user}`,
    `  port: ${ssh.port}`,
    `  private_key_file: ${ssh.clientKey}`,
    `  known_hosts_file: ${ssh.knownHosts}`,
    '  connect_timeout_seconds: 5',
    '  command_timeout_seconds: 30',
    'hosts:',
    ...hosts.flatMap((h) => {
      const name = h.name ?? `host${h.index}`;
      return [
        `  - name: ${name}`,
        `    address: ${h.address ?? fleetAddress(h.index)}`,
        `    groups: [fleet]`,
        // The package simulation (seconds of CPU on a first run) only where a test asks for it.
        `    collect: { auth_log: ${JSON.stringify(h.authLog ?? path.join(ssh.logs, name, 'auth.log'))}, updates: ${h.updates === true} }`,
        ...(h.knownHostsFile || h.port
          ? [
              `    ssh: { ${[
                h.knownHostsFile ? `known_hosts_file: ${JSON.stringify(h.knownHostsFile)}` : '',
                h.port ? `port: ${h.port}` : '',
              ]
                .filter(Boolean)
                .join(', ')} }`,
            ]
          : []),
      ];
    }),
    extra,
  ];
  return `${lines.join('\n')}\n`;
}

export function fleetConfig(hosts: FleetHostSpec[], extra = ''): Config {
  return parseConfig(fleetConfigYaml(hosts, extra), 'fleet-test.yaml', {
    env: { HOME: process.env['HOME'] ?? '/root' },
  });
}

export function fleetHost(config: Config, name: string): ResolvedHost {
  const host = config.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`no host ${name} in the test configuration`);
  return host;
}
