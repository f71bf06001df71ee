import { parse as parseYaml } from 'yaml';

/** A host as an Ansible inventory describes it, in our terms. */
export interface InventoryHost {
  name: string;
  address?: string;
  groups: string[];
  ssh: { user?: string; port?: number; private_key_file?: string };
}

type Vars = Record<string, unknown>;

/**
 * Reads an Ansible inventory, INI or YAML, with groups, children groups and host/group vars
 * (ansible_host, ansible_port, ansible_user, ansible_ssh_private_key_file). Problems are
 * returned, not thrown; dynamic inventory scripts are not run.
 */
export function parseAnsibleInventory(
  text: string,
  format: 'ini' | 'yaml',
): { hosts: InventoryHost[]; problems: string[] } {
  const model = format === 'yaml' ? fromYaml(text) : fromIni(text);
  // A host belongs to its groups and, through :children, to their parents.
  const parentsOf = (group: string, seen = new Set<string>()): string[] => {
    if (seen.has(group)) return [];
    seen.add(group);
    return [...model.children.entries()]
      .filter(([, kids]) => kids.has(group))
      .flatMap(([parent]) => [parent, ...parentsOf(parent, seen)]);
  };
  const hosts = [...model.hostGroups.entries()].map(([name, direct]): InventoryHost => {
    const groups = [...new Set([...direct, ...[...direct].flatMap((g) => parentsOf(g))])]
      .filter((g) => g !== 'all' && g !== 'ungrouped')
      .sort();
    const vars: Vars = {
      ...model.groupVars.get('all'),
      ...Object.assign({}, ...groups.map((g) => model.groupVars.get(g) ?? {})),
      ...model.hostVars.get(name),
    };
    const port = vars['ansible_port'] ?? vars['ansible_ssh_port'];
    return {
      name,
      ...(typeof vars['ansible_host'] === 'string' ? { address: vars['ansible_host'] } : {}),
      groups,
      ssh: {
        ...(typeof (vars['ansible_user'] ?? vars['ansible_ssh_user']) === 'string'
          ? { user: String(vars['ansible_user'] ?? vars['ansible_ssh_user']) }
          : {}),
        ...(port !== undefined && Number.isInteger(Number(port)) ? { port: Number(port) } : {}),
        ...(typeof vars['ansible_ssh_private_key_file'] === 'string'
          ? { private_key_file: vars['ansible_ssh_private_key_file'] }
          : {}),
      },
    };
  });
  return { hosts: hosts.sort((a, b) => a.name.localeCompare(b.name)), problems: model.problems };
}

interface InventoryModel {
  hostGroups: Map<string, Set<string>>;
  hostVars: Map<string, Vars>;
  groupVars: Map<string, Vars>;
  children: Map<string, Set<string>>;
  problems: string[];
}

function emptyModel(): InventoryModel {
  return { hostGroups: new Map(), hostVars: new Map(), groupVars: new Map(), children: new Map(), problems: [] };
}

function addHost(model: InventoryModel, name: string, group: string, vars: Vars): void {
  const groups = model.hostGroups.get(name) ?? new Set<string>();
  groups.add(group);
  model.hostGroups.set(name, groups);
  model.hostVars.set(name, { ...model.hostVars.get(name), ...vars });
}

/** key=value pairs; values may be quoted. */
function parseKeyValues(text: string): Vars {
  const vars: Vars = {};
  for (const match of text.matchAll(/(\w+)=("[^"]*"|'[^']*'|\S+)/g)) {
    vars[match[1] ?? ''] = (match[2] ?? '').replace(/^(["'])(.*)\1$/, '$2');
  }
  return vars;
}

function fromIni(text: string): InventoryModel {
  const model = emptyModel();
  let section = 'ungrouped';
  let kind: 'hosts' | 'vars' | 'children' = 'hosts';
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/\s[#;].*$/, '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]:]+)(?::(vars|children))?\]$/.exec(line);
    if (header?.[1]) {
      section = header[1];
      kind = (header[2] as 'vars' | 'children' | undefined) ?? 'hosts';
      return;
    }
    if (kind === 'vars') {
      model.groupVars.set(section, { ...model.groupVars.get(section), ...parseKeyValues(line) });
    } else if (kind === 'children') {
      const kids = model.children.get(section) ?? new Set<string>();
      kids.add(line.split(/\s+/)[0] ?? line);
      model.children.set(section, kids);
    } else {
      const [name, ...rest] = line.split(/\s+/);
      if (!name || /[[\]]/.test(name)) {
        model.problems.push(
          `inventory line ${index + 1}: host ranges like "${name}" are not supported; list the hosts`,
        );
        return;
      }
      addHost(model, name, section, parseKeyValues(rest.join(' ')));
    }
  });
  return model;
}

function fromYaml(text: string): InventoryModel {
  const model = emptyModel();
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    model.problems.push(`inventory YAML: ${(error as Error).message.split('\n')[0]}`);
    return model;
  }
  const walk = (group: string, node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const { hosts, vars, children } = node as {
      hosts?: Record<string, Vars | null>;
      vars?: Vars;
      children?: Record<string, unknown>;
    };
    for (const [name, hostVars] of Object.entries(hosts ?? {})) addHost(model, name, group, hostVars ?? {});
    if (vars) model.groupVars.set(group, { ...model.groupVars.get(group), ...vars });
    for (const [child, childNode] of Object.entries(children ?? {})) {
      const kids = model.children.get(group) ?? new Set<string>();
      kids.add(child);
      model.children.set(group, kids);
      walk(child, childNode);
    }
  };
  for (const [group, node] of Object.entries((document as Record<string, unknown>) ?? {})) walk(group, node);
  return model;
}
