import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAnsibleInventory } from '../ansible-inventory.js';

/**
 * Each inventory is read twice: by infra-report, and by Ansible itself (`ansible-inventory
 * --list`, Debian's ansible-core 2.14, installed by scripts/test-services.sh). The hosts, their
 * groups and the variables infra-report uses must be the same.
 */
function write(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-ansible-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function asAnsibleReadsIt(location: string) {
  const ours = loadAnsibleInventory(location);
  const ansible = loadAnsibleInventory(location, { useAnsibleInventory: true });
  expect(ansible.problems).toEqual([]);
  expect(ours.problems).toEqual([]);
  expect(ours.hosts).toEqual(ansible.hosts);
  return ours.hosts;
}

describe('Ansible inventories, read as ansible-inventory reads them', () => {
  it('INI: ranges (leading zeros, steps, letters), host:port, nested children, precedence by depth and priority, local', () => {
    const dir = write({
      hosts: `
[web]
web[01:04].example.com
db03.example.com:2200 ansible_user=dba
edge[a:c] ansible_port=2022
odd[1:9:4]

[web:vars]
ansible_user=webadmin

[prod:children]
web
[prod:vars]
ansible_user=produser
ansible_ssh_private_key_file=/keys/prod

[first]
pri01
[first:vars]
ansible_user=from-first
ansible_group_priority=10

[second]
pri01
[second:vars]
ansible_user=from-second

[this]
localhost ansible_connection=local

[all:vars]
ansible_port=22
`,
    });
    const hosts = asAnsibleReadsIt(path.join(dir, 'hosts'));
    expect(hosts.map((h) => h.name)).toEqual([
      'db03.example.com',
      'edgea',
      'edgeb',
      'edgec',
      'localhost',
      'odd1',
      'odd5',
      'odd9',
      'pri01',
      'web01.example.com',
      'web02.example.com',
      'web03.example.com',
      'web04.example.com',
    ]);
    const byName = new Map(hosts.map((h) => [h.name, h]));
    // The child group's user beats its parent's; the host's own beats both.
    expect(byName.get('web02.example.com')?.ssh).toEqual({
      user: 'webadmin',
      port: 22,
      private_key_file: '/keys/prod',
    });
    expect(byName.get('db03.example.com')?.ssh).toMatchObject({ user: 'dba', port: 2200 });
    // Same depth: ansible_group_priority 10 sorts "first" after "second", so it wins.
    expect(byName.get('pri01')?.ssh.user).toBe('from-first');
    expect(byName.get('localhost')?.local).toBe(true);
  });

  it('YAML with ranges and nested children, also without a file extension', () => {
    const yaml = `
all:
  vars: { ansible_user: report }
  children:
    de:
      vars: { ansible_port: 2201 }
      children:
        de_db:
          hosts:
            de-db[1:2]: { ansible_port: 5022 }
        de_web:
          hosts:
            de-web[01:02]:
    fr:
      hosts:
        fr-app1: { ansible_host: 192.0.2.10, ansible_connection: local }
`;
    const dir = write({ 'inventory.yml': yaml, hosts: yaml });
    const fromYml = asAnsibleReadsIt(path.join(dir, 'inventory.yml'));
    expect(fromYml.map((h) => [h.name, h.groups.join(','), h.ssh.port])).toEqual([
      ['de-db1', 'de,de_db', 5022],
      ['de-db2', 'de,de_db', 5022],
      ['de-web01', 'de,de_web', 2201],
      ['de-web02', 'de,de_web', 2201],
      ['fr-app1', 'fr', undefined],
    ]);
    expect(asAnsibleReadsIt(path.join(dir, 'hosts'))).toEqual(fromYml);
  });

  it('a directory with group_vars/ and host_vars/ (files and directories, YAML and JSON), or its hosts file', () => {
    const dir = write({
      'inventory/hosts': '[web]\nweb01\nweb02 ansible_host=10.0.0.2\n\n[db]\ndb01\n\n[prod:children]\nweb\ndb\n',
      'inventory/more.yml': 'all:\n  children:\n    cache:\n      hosts:\n        cache01:\n',
      'inventory/notes.md': '# not an inventory source',
      'inventory/group_vars/all.yml': 'ansible_user: everyone\nansible_port: 22\n',
      'inventory/group_vars/prod.yaml': 'ansible_user: produser\n',
      'inventory/group_vars/web/10-main.yml': 'ansible_user: webadmin\nansible_port: 2200\n',
      'inventory/group_vars/web/20-override.json': '{ "ansible_port": 2222 }',
      'inventory/host_vars/web01.yml': 'ansible_host: 10.0.0.1\nansible_user: alice\n',
      'inventory/host_vars/db01': '{ "ansible_host": "10.0.0.9", "ansible_ssh_private_key_file": "/keys/db" }',
    });
    const fromDirectory = asAnsibleReadsIt(path.join(dir, 'inventory'));
    expect(fromDirectory.map((h) => [h.name, h.address, h.ssh.user, h.ssh.port])).toEqual([
      ['cache01', undefined, 'everyone', 22],
      ['db01', '10.0.0.9', 'produser', 22],
      ['web01', '10.0.0.1', 'alice', 2222],
      ['web02', '10.0.0.2', 'webadmin', 2222],
    ]);
    // The hosts file alone: the group_vars and host_vars beside it still apply.
    const fromFile = asAnsibleReadsIt(path.join(dir, 'inventory/hosts'));
    expect(fromFile.find((h) => h.name === 'web01')?.ssh).toMatchObject({ user: 'alice', port: 2222 });
  });

  it('says what is wrong with a bad pattern instead of inventing hosts', () => {
    const dir = write({ hosts: '[web]\nweb[a:3]\nok1\n' });
    const { hosts, problems } = loadAnsibleInventory(path.join(dir, 'hosts'));
    expect(hosts.map((h) => h.name)).toEqual(['ok1']);
    expect(problems).toEqual([
      `${path.join(dir, 'hosts')} line 2: invalid host range "[a:3]": numbers ([01:20]) or letters ([a:f])`,
    ]);
    const missing = loadAnsibleInventory(path.join(dir, 'nope'), { useAnsibleInventory: true });
    expect(missing.hosts).toEqual([]);
    expect(missing.problems[0]).toMatch(/^ansible-inventory -i .*nope --list failed/);
  });
});
