import { spawnSync } from 'node:child_process';
import { readInventory, resolveInventory, type ResolvedInventoryHost } from './ansible/inventory.js';

/** A host as an Ansible inventory describes it, in our terms. */
export interface InventoryHost {
  name: string;
  address?: string;
  groups: string[];
  /** ansible_connection=local: collected on this machine, without SSH. */
  local: boolean;
  /** Windows: ansible_os_family Windows, or a PowerShell shell over ssh. */
  platform?: 'windows';
  ssh: { user?: string; port?: number; private_key_file?: string };
}

type Vars = Record<string, unknown>;

/** The variables we use, as Ansible names them (and their older ansible_ssh_* names). */
function toHost(resolved: ResolvedInventoryHost): InventoryHost {
  const { vars } = resolved;
  const text = (...names: string[]) => {
    for (const name of names) {
      const value = vars[name];
      if (typeof value === 'string' || typeof value === 'number') return String(value);
    }
    return undefined;
  };
  const address = text('ansible_host', 'ansible_ssh_host');
  const user = text('ansible_user', 'ansible_ssh_user');
  const port = text('ansible_port', 'ansible_ssh_port');
  const key = text('ansible_ssh_private_key_file', 'ansible_private_key_file');
  return {
    name: resolved.name,
    ...(address ? { address } : {}),
    groups: resolved.groups,
    local: text('ansible_connection') === 'local',
    ...(text('ansible_os_family')?.toLowerCase() === 'windows' ||
    (text('ansible_connection') === 'ssh' && text('ansible_shell_type')?.toLowerCase() === 'powershell')
      ? { platform: 'windows' as const }
      : {}),
    ssh: {
      ...(user ? { user } : {}),
      ...(port !== undefined && /^\d+$/.test(port) ? { port: Number(port) } : {}),
      ...(key ? { private_key_file: key } : {}),
    },
  };
}

/**
 * Reads an Ansible inventory as Ansible reads it: a file (INI or YAML, told apart by content) or
 * a directory of them, with host ranges and ports, nested children, group_vars/ and host_vars/
 * (files or directories, YAML or JSON), variables combined by Ansible's precedence (inventory
 * group vars by depth, priority and name; group_vars files over them; host vars over all).
 * Problems are returned, not thrown; inventory scripts and plugins are not run.
 */
export function loadAnsibleInventory(
  location: string,
  options: { readFile?: (file: string) => string; useAnsibleInventory?: boolean } = {},
): { hosts: InventoryHost[]; problems: string[] } {
  if (options.useAnsibleInventory) return fromAnsibleInventoryCommand(location);
  const model = readInventory(location, options.readFile);
  return { hosts: resolveInventory(model).map(toHost), problems: model.problems };
}

/** The same from text (tests, and sources given inline). */
export function parseAnsibleInventory(text: string): { hosts: InventoryHost[]; problems: string[] } {
  const model = readInventory('(inline inventory)', () => text);
  return { hosts: resolveInventory(model).map(toHost), problems: model.problems };
}

/**
 * Where ansible-inventory is installed: its --list output as the source of truth (dynamic
 * inventories, plugins, vaults: whatever Ansible itself reads).
 */
function fromAnsibleInventoryCommand(location: string): { hosts: InventoryHost[]; problems: string[] } {
  type Listing = Record<string, { hosts?: string[]; children?: string[]; hostvars?: Record<string, Vars> } | undefined>;
  const result = spawnSync('ansible-inventory', ['-i', location, '--list'], {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ANSIBLE_NOCOLOR: '1' },
  });
  const failed = (why: string) => ({
    hosts: [],
    problems: [`ansible-inventory -i ${location} --list failed: ${why.trim().slice(0, 500)}`],
  });
  if (result.error)
    return failed(
      (result.error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'ansible-inventory is not installed'
        : result.error.message,
    );
  if (result.status !== 0) return failed(result.stderr || `exit status ${result.status}`);
  // A source it cannot parse is only a warning to Ansible (exit 0, no hosts): here it is a problem.
  const unparsed = result.stderr.split('\n').filter((line) => /Unable to parse|Failed to parse/.test(line));
  if (unparsed.length > 0) return failed(unparsed.join(' / '));
  let listing: Listing;
  try {
    listing = JSON.parse(result.stdout) as Listing;
  } catch (error) {
    return failed(`its output is not JSON: ${(error as Error).message}`);
  }
  const parentsOf = new Map<string, Set<string>>();
  const groupsOf = new Map<string, Set<string>>();
  for (const [name, group] of Object.entries(listing)) {
    if (name === '_meta' || !group) continue;
    for (const child of group.children ?? []) parentsOf.set(child, (parentsOf.get(child) ?? new Set()).add(name));
    for (const host of group.hosts ?? []) groupsOf.set(host, (groupsOf.get(host) ?? new Set()).add(name));
  }
  const ancestors = (name: string, into: Set<string>) => {
    if (into.has(name)) return;
    into.add(name);
    for (const parent of parentsOf.get(name) ?? []) ancestors(parent, into);
  };
  const hostvars = listing['_meta']?.hostvars ?? {};
  const names = new Set([...Object.keys(hostvars), ...groupsOf.keys()]);
  const hosts = [...names].sort().map((name) => {
    const all = new Set<string>();
    for (const g of groupsOf.get(name) ?? []) ancestors(g, all);
    return toHost({
      name,
      groups: [...all].filter((g) => g !== 'all' && g !== 'ungrouped').sort(),
      vars: hostvars[name] ?? {},
    });
  });
  return { hosts, problems: [] };
}
