import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { expandHostPattern } from './host-pattern.js';

type Vars = Record<string, unknown>;

interface Group {
  name: string;
  vars: Vars;
  parents: Set<string>;
  hosts: Set<string>;
}

/** An inventory as Ansible builds it from its sources, before variables are combined. */
export interface InventoryModel {
  groups: Map<string, Group>;
  hostVars: Map<string, Vars>;
  /** group_vars/ and host_vars/ next to (or inside) each source. */
  groupVarFiles: Map<string, Vars>;
  hostVarFiles: Map<string, Vars>;
  problems: string[];
}

function emptyModel(): InventoryModel {
  const model: InventoryModel = {
    groups: new Map(),
    hostVars: new Map(),
    groupVarFiles: new Map(),
    hostVarFiles: new Map(),
    problems: [],
  };
  group(model, 'all');
  group(model, 'ungrouped');
  return model;
}

function group(model: InventoryModel, name: string): Group {
  let g = model.groups.get(name);
  if (!g) {
    g = { name, vars: {}, parents: new Set(), hosts: new Set() };
    model.groups.set(name, g);
  }
  return g;
}

function addHosts(model: InventoryModel, pattern: string, groupName: string, vars: Vars, where: string): void {
  let expanded: ReturnType<typeof expandHostPattern>;
  try {
    expanded = expandHostPattern(pattern);
  } catch (error) {
    model.problems.push(`${where}: ${(error as Error).message}`);
    return;
  }
  for (const host of expanded.hosts) {
    group(model, groupName).hosts.add(host);
    const own = model.hostVars.get(host) ?? {};
    if (expanded.port !== undefined) own['ansible_port'] = expanded.port;
    model.hostVars.set(host, { ...own, ...vars });
  }
}

/** INI: inline host values are literals (numbers, booleans, quoted strings); :vars values are strings. */
function literal(value: string): unknown {
  const unquoted = /^(["'])(.*)\1$/.exec(value);
  if (unquoted) return unquoted[2];
  if (/^-?\d+$/.test(value)) return Number(value);
  if (value === 'True' || value === 'true') return true;
  if (value === 'False' || value === 'false') return false;
  return value;
}

function keyValues(text: string, typed: boolean): Vars {
  const vars: Vars = {};
  for (const match of text.matchAll(/([A-Za-z_][\w]*)=("[^"]*"|'[^']*'|\S+)/g)) {
    const raw = match[2] ?? '';
    vars[match[1] ?? ''] = typed ? literal(raw) : raw.replace(/^(["'])(.*)\1$/, '$2');
  }
  return vars;
}

function parseIni(model: InventoryModel, text: string, source: string): void {
  let section = 'ungrouped';
  let kind: 'hosts' | 'vars' | 'children' = 'hosts';
  text.split(/\r?\n/).forEach((raw, index) => {
    const where = `${source} line ${index + 1}`;
    const line = raw.replace(/\s[#;].*$/, '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]:\s]+)(?::(vars|children))?\]$/.exec(line);
    if (header?.[1]) {
      section = header[1];
      kind = (header[2] as 'vars' | 'children' | undefined) ?? 'hosts';
      group(model, section);
      return;
    }
    if (kind === 'vars') {
      const g = group(model, section);
      g.vars = { ...g.vars, ...keyValues(line, false) };
    } else if (kind === 'children') {
      group(model, line.split(/\s+/)[0] ?? line).parents.add(section);
    } else {
      const [pattern = '', ...rest] = line.split(/\s+/);
      addHosts(model, pattern, section, keyValues(rest.join(' '), true), where);
    }
  });
}

function parseYamlInventory(model: InventoryModel, document: Record<string, unknown>, source: string): void {
  const walk = (name: string, node: unknown, parent: string | null) => {
    const g = group(model, name);
    if (parent) g.parents.add(parent);
    if (!node || typeof node !== 'object') return;
    const { hosts, vars, children } = node as { hosts?: unknown; vars?: unknown; children?: unknown };
    if (hosts && typeof hosts === 'object')
      for (const [pattern, hostVars] of Object.entries(hosts))
        addHosts(model, pattern, name, (hostVars as Vars | null) ?? {}, `${source} (group ${name})`);
    if (vars && typeof vars === 'object') g.vars = { ...g.vars, ...(vars as Vars) };
    if (children && typeof children === 'object')
      for (const [child, childNode] of Object.entries(children)) walk(child, childNode, name);
  };
  for (const [name, node] of Object.entries(document)) walk(name, node, null);
}

/**
 * The format by content, as Ansible's plugins decide it: a YAML mapping of groups is YAML
 * (whatever the file is called); anything else is INI.
 */
function parseSource(model: InventoryModel, text: string, source: string): void {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch {
    document = undefined;
  }
  const isGroups =
    document !== null &&
    typeof document === 'object' &&
    !Array.isArray(document) &&
    Object.values(document as Record<string, unknown>).every(
      (v) => v === null || (typeof v === 'object' && !Array.isArray(v)),
    );
  if (isGroups && Object.keys(document as object).length > 0)
    parseYamlInventory(model, document as Record<string, unknown>, source);
  else parseIni(model, text, source);
}

// Files Ansible does not read as inventory sources in a directory (INVENTORY_IGNORE_EXTS).
const ignoredInventoryFile = /(~|\.orig|\.bak|\.cfg|\.retry|\.pyc|\.pyo|\.swp|\.rpm|\.md|\.txt|\.rst)$|^\./;

/** group_vars/NAME(.yml|.yaml|.json), or group_vars/NAME/ with files merged in name order. */
function loadVarsDirectory(directory: string, into: Map<string, Vars>, problems: string[]): void {
  if (!existsSync(directory)) return;
  for (const entry of readdirSync(directory).sort()) {
    if (entry.startsWith('.')) continue;
    const full = path.join(directory, entry);
    const name = entry.replace(/\.(ya?ml|json)$/, '');
    const files = statSync(full).isDirectory() ? listFiles(full) : [full];
    for (const file of files) {
      if (!/(\.(ya?ml|json))?$/.test(file) || /\/\.[^/]*$/.test(file)) continue;
      try {
        const vars = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Vars;
        if (typeof vars !== 'object' || Array.isArray(vars)) {
          problems.push(`${file}: not a mapping of variables`);
          continue;
        }
        into.set(name, { ...into.get(name), ...vars });
      } catch (error) {
        problems.push(`${file}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
}

function listFiles(directory: string): string[] {
  return readdirSync(directory)
    .sort()
    .flatMap((entry) => {
      const full = path.join(directory, entry);
      return statSync(full).isDirectory() ? listFiles(full) : [full];
    });
}

/**
 * Reads an inventory file or directory as Ansible does: every source in a directory (in name
 * order), and the group_vars/ and host_vars/ beside a file or inside a directory.
 */
export function readInventory(
  location: string,
  readFile: (file: string) => string = (f) => readFileSync(f, 'utf8'),
): InventoryModel {
  const model = emptyModel();
  const isDirectory = existsSync(location) && statSync(location).isDirectory();
  const sources = isDirectory
    ? readdirSync(location)
        .sort()
        .filter((entry) => !ignoredInventoryFile.test(entry) && entry !== 'group_vars' && entry !== 'host_vars')
        .map((entry) => path.join(location, entry))
        .filter((file) => statSync(file).isFile())
    : [location];
  for (const source of sources) parseSource(model, readFile(source), source);
  const base = isDirectory ? location : path.dirname(location);
  loadVarsDirectory(path.join(base, 'group_vars'), model.groupVarFiles, model.problems);
  loadVarsDirectory(path.join(base, 'host_vars'), model.hostVarFiles, model.problems);
  return model;
}

/** A host with its groups (ancestors included) and its variables combined by Ansible's precedence. */
export interface ResolvedInventoryHost {
  name: string;
  groups: string[];
  vars: Vars;
}

export function resolveInventory(model: InventoryModel): ResolvedInventoryHost[] {
  const groups = model.groups;
  // Groups nobody adopted are children of "all"; hosts in no group are "ungrouped".
  for (const g of groups.values()) if (g.name !== 'all' && g.parents.size === 0) g.parents.add('all');
  const depthCache = new Map<string, number>();
  const depth = (name: string, seen = new Set<string>()): number => {
    if (name === 'all') return 0;
    const cached = depthCache.get(name);
    if (cached !== undefined) return cached;
    if (seen.has(name)) return 0; // a cycle: Ansible refuses it; we do not loop
    seen.add(name);
    const parents = [...(groups.get(name)?.parents ?? [])];
    const value = parents.length === 0 ? 1 : Math.max(...parents.map((p) => depth(p, seen) + 1));
    depthCache.set(name, value);
    return value;
  };
  const ancestors = (name: string, into = new Set<string>()): Set<string> => {
    if (into.has(name)) return into;
    into.add(name);
    for (const parent of groups.get(name)?.parents ?? []) ancestors(parent, into);
    return into;
  };
  const priority = (g: Group) => Number(g.vars['ansible_group_priority'] ?? 1) || 1;
  const hostNames = new Set<string>([...model.hostVars.keys()]);
  for (const g of groups.values()) for (const h of g.hosts) hostNames.add(h);
  return [...hostNames].sort().map((name) => {
    const direct = [...groups.values()].filter((g) => g.hosts.has(name)).map((g) => g.name);
    if (direct.length === 0) direct.push('ungrouped');
    const all = new Set<string>();
    for (const g of direct) ancestors(g, all);
    const sorted = [...all]
      .filter((g) => g !== 'all')
      .map((g) => groups.get(g) ?? { name: g, vars: {}, parents: new Set<string>(), hosts: new Set<string>() })
      .sort((a, b) => depth(a.name) - depth(b.name) || priority(a) - priority(b) || a.name.localeCompare(b.name));
    const vars: Vars = {
      ...groups.get('all')?.vars,
      ...Object.assign({}, ...sorted.map((g) => g.vars)),
      ...model.groupVarFiles.get('all'),
      ...Object.assign({}, ...sorted.map((g) => model.groupVarFiles.get(g.name) ?? {})),
      ...model.hostVars.get(name),
      ...model.hostVarFiles.get(name),
    };
    // Variables combine by depth; the report groups hosts by their groups in name order.
    return {
      name,
      groups: sorted
        .map((g) => g.name)
        .filter((g) => g !== 'ungrouped')
        .sort(),
      vars,
    };
  });
}
