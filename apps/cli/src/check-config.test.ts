import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetConfigYaml, runCli } from '@infra-report/testkit';

describe('infra-report check-config', () => {
  it('connects to every host and says, per host, what is wrong', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-check-'));
    const knownHosts = path.join(dir, 'empty_known_hosts');
    writeFileSync(knownHosts, '');
    const file = path.join(dir, 'fleet.yaml');
    writeFileSync(
      file,
      fleetConfigYaml([
        { index: 1 },
        { index: 2, name: 'stranger', knownHostsFile: knownHosts },
        { index: 9, name: 'down', address: '127.0.0.97' },
      ]),
    );
    const result = await runCli(['check-config', '-c', file], { env: { REDIS_URL: '', INFLUX_URL: '' } });
    expect(result.code).toBe(4); // some hosts cannot be collected
    expect(result.stderr).toContain(`${file}: valid, 3 host(s)`);
    expect(result.stderr).toMatch(/ok\s+host1 irtest@127\.0\.0\.11:2222 in \d+ ms/);
    expect(result.stderr).toMatch(
      /FAIL\s+stranger: host key unknown for stranger \(127\.0\.0\.12:2222\): SHA256:\S+ is not in /,
    );
    expect(result.stderr).toContain(
      'FAIL  down: connection refused by 127.0.0.97:2222 (host down): is sshd running on port 2222?',
    );
    expect(result.stderr).toContain('2 of 3 host(s) cannot be collected');
  });
});

describe('infra-report check-config --no-connect', () => {
  it('shows each host as it resolved from an Ansible directory inventory and ~/.ssh/config, as text and JSON', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-check-resolve-'));
    const write = (name: string, text: string) => {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    };
    write('inventory/hosts', '[web]\nweb[01:02]\n[db]\ndb01:2200\n[this]\nlocalhost ansible_connection=local\n');
    write('inventory/group_vars/web.yml', 'ansible_user: webadmin\n');
    write('inventory/host_vars/web02.yml', 'ansible_host: 10.0.0.2\n');
    write('ssh_config', 'Host web01\n  HostName 10.0.0.1\n  ProxyJump ops@bastion.example.com\nHost db*\n  User dba\n');
    write(
      'config.yaml',
      `inventory: { file: ${path.join(dir, 'inventory')} }\nssh_config_file: ${path.join(dir, 'ssh_config')}\n`,
    );
    const text = await runCli(['check-config', '--no-connect', '-c', path.join(dir, 'config.yaml')]);
    expect(text.code).toBe(0);
    expect(text.stderr).toContain(
      'host  web01 webadmin@10.0.0.1:22 via ops@bastion.example.com:22 (inventory, ssh config)',
    );
    expect(text.stderr).toContain('host  web02 webadmin@10.0.0.2:22 (inventory)');
    expect(text.stderr).toContain('host  db01 dba@db01:2200 (inventory, ssh config)');
    expect(text.stderr).toContain('host  localhost (local, no SSH)');

    const json = await runCli(['check-config', '--no-connect', '--json', '-c', path.join(dir, 'config.yaml')]);
    const parsed = JSON.parse(json.stdout) as {
      hosts: { name: string; address?: string; port?: number; user?: string }[];
    };
    expect(parsed.hosts.map((h) => [h.name, h.user, h.address, h.port])).toEqual([
      ['db01', 'dba', 'db01', 2200],
      ['localhost', undefined, undefined, undefined],
      ['web01', 'webadmin', '10.0.0.1', 22],
      ['web02', 'webadmin', '10.0.0.2', 22],
    ]);
  });
});
