import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAnsibleInventory } from './ansible-inventory.js';
import { ConfigError, parseConfig } from './load.js';

const ini = `
# production
bastion ansible_host=203.0.113.1

[web]
web01 ansible_host=10.0.0.11
web02 ansible_host=10.0.0.12 ansible_port=2222  ; odd port

[db]
db01 ansible_host=10.0.0.21 ansible_user="dbadmin"

[prod:children]
web
db

[prod:vars]
ansible_user=report
ansible_ssh_private_key_file=~/.ssh/report
`;

const yaml = `
all:
  vars: { ansible_user: report }
  hosts:
    bastion: { ansible_host: 203.0.113.1 }
  children:
    prod:
      children:
        web:
          hosts:
            web01: { ansible_host: 10.0.0.11 }
            web02: { ansible_host: 10.0.0.12, ansible_port: 2222 }
        db:
          hosts:
            db01: { ansible_host: 10.0.0.21, ansible_user: dbadmin }
`;

describe('Ansible inventory as the host list', () => {
  it('reads INI and YAML inventories to the same hosts, groups and SSH settings', () => {
    const fromIni = parseAnsibleInventory(ini);
    const fromYaml = parseAnsibleInventory(yaml);
    expect(fromIni.problems).toEqual([]);
    expect(fromIni.hosts.map((h) => [h.name, h.address, h.groups.join(','), h.ssh.user, h.ssh.port])).toEqual([
      ['bastion', '203.0.113.1', '', undefined, undefined],
      ['db01', '10.0.0.21', 'db,prod', 'dbadmin', undefined],
      ['web01', '10.0.0.11', 'prod,web', 'report', undefined],
      ['web02', '10.0.0.12', 'prod,web', 'report', 2222],
    ]);
    expect(fromYaml.hosts.map((h) => [h.name, h.address, h.groups.join(','), h.ssh.port])).toEqual(
      fromIni.hosts.map((h) => [h.name, h.address, h.groups.join(','), h.ssh.port]),
    );
  });

  it('expands host ranges and ports, and says which patterns it cannot use', () => {
    const { hosts, problems } = parseAnsibleInventory('[web]\nweb[01:03].example.com\ndb[a:b]:2200\nbad[5:1]\n');
    expect(hosts.map((h) => [h.name, h.ssh.port])).toEqual([
      ['dba', 2200],
      ['dbb', 2200],
      ['web01.example.com', undefined],
      ['web02.example.com', undefined],
      ['web03.example.com', undefined],
    ]);
    expect(problems).toEqual(['(inline inventory) line 4: host range "[5:1]" ends before it starts']);
  });

  it('is usable from the configuration, with configured hosts taking precedence', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-inventory-'));
    writeFileSync(path.join(dir, 'hosts.ini'), ini);
    const config = parseConfig(
      `inventory: { file: ${path.join(dir, 'hosts.ini')} }\nhosts:\n  - { name: web01, address: 192.0.2.1 }\n`,
      path.join(dir, 'c.yaml'),
      { env: { HOME: '/home/ops', USER: 'ops' } },
    );
    expect(config.hosts.map((h) => [h.name, h.address, h.ssh.port, h.ssh.user])).toEqual([
      ['web01', '192.0.2.1', 22, 'ops'],
      ['bastion', '203.0.113.1', 22, 'ops'],
      ['db01', '10.0.0.21', 22, 'dbadmin'],
      ['web02', '10.0.0.12', 2222, 'report'],
    ]);
    expect(config.hosts.find((h) => h.name === 'web02')?.ssh.privateKeyFile).toBe('/home/ops/.ssh/report');
    expect(() => parseConfig('inventory: { file: /nonexistent/hosts }\n', 'c.yaml', { env: {} })).toThrow(ConfigError);
  });
});
