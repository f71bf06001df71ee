import { hostname } from 'node:os';
import { loadAnsibleInventory } from './ansible-inventory.js';
import type { ResolveContext } from './resolve-context.js';
import { readSshConfig, type SshConfigHost } from './ssh-config.js';
import { hostNamePattern, sampleSchema, type HostConfig, type RawConfig, type SshSettings } from './schema.js';
import type { ResolvedHost, ResolvedSsh } from './types.js';

/** The sample section's defaults, from its schema. */
export const sampleDefaults = () => sampleSchema.unwrap().parse({});

/** Hosts of the Ansible inventory that the file's own hosts do not name already. */
function inventoryHosts(raw: RawConfig, context: ResolveContext): HostConfig[] {
  const { expand, problems, readFile } = context;
  const found: HostConfig[] = [];
  if (raw.inventory) {
    const location = expand(raw.inventory.file);
    try {
      const inventory = loadAnsibleInventory(location, {
        readFile: readFile,
        useAnsibleInventory: raw.inventory.use_ansible_inventory,
      });
      inventory.problems.forEach((p) => problems.push(`inventory.file (${location}): ${p}`));
      for (const h of inventory.hosts) {
        if (raw.hosts.some((own) => own.name === h.name)) continue;
        if (!hostNamePattern.test(h.name)) {
          problems.push(
            `inventory.file (${location}): host name "${h.name}" is not usable (letters, digits, ".", "_", "-")`,
          );
          continue;
        }
        found.push({
          name: h.name,
          address: h.address,
          groups: h.groups,
          labels: { source: 'ansible-inventory' },
          local: h.local,
          ...(h.platform ? { platform: h.platform } : {}),
          ssh: h.ssh,
        });
      }
    } catch (error) {
      problems.push(`inventory.file: cannot read ${location}: ${(error as Error).message}`);
    }
  }
  return found;
}

/**
 * Every host as it will be collected: the file's hosts and the inventory's (or this machine
 * alone), each with ~/.ssh/config under the file's settings, then its groups', then its own.
 */
export function resolveHosts(raw: RawConfig, context: ResolveContext): ResolvedHost[] {
  const { env, expand, secret, problems, readFile } = context;
  const configured = [...raw.hosts, ...inventoryHosts(raw, context)];
  const hostsRaw =
    configured.length > 0 || raw.inventory
      ? configured
      : [{ name: localHostName(env), address: undefined, groups: [], labels: {}, local: true }];
  // ~/.ssh/config (or ssh_config_file): what ssh would use for each host, under the
  // configuration file's own settings (which win).
  const sshConfigPath = raw.ssh_config_file === false ? undefined : expand(raw.ssh_config_file ?? '~/.ssh/config');
  let fromSshConfig: ((alias: string) => SshConfigHost) | undefined;
  if (sshConfigPath) {
    try {
      fromSshConfig = readSshConfig(readFile(sshConfigPath));
    } catch (error) {
      // The default file may well be absent; a configured one must be readable.
      if (raw.ssh_config_file !== undefined || (error as NodeJS.ErrnoException).code !== 'ENOENT')
        problems.push(`ssh_config_file: cannot read ${sshConfigPath}: ${(error as Error).message}`);
    }
  }
  const hosts = hostsRaw.map((host, index): ResolvedHost => {
    const openSsh = host.local ? undefined : fromSshConfig?.(host.name);
    const layers: SshSettings[] = [
      openSsh?.settings ?? {},
      raw.ssh,
      ...host.groups.map((g) => raw.groups[g]?.ssh ?? {}),
      ('ssh' in host && host.ssh) || {},
    ];
    const merged: SshSettings = Object.assign({}, ...layers);
    const collectLayers = [
      raw.collect,
      ...host.groups.map((g) => raw.groups[g]?.collect ?? {}),
      ('collect' in host && host.collect) || {},
    ];
    const collect = Object.assign({}, ...collectLayers) as RawConfig['collect'];
    const sampleLayers = [
      ...host.groups.map((g) => raw.groups[g]?.sample ?? {}),
      ('sample' in host && host.sample) || {},
    ];
    const sampleSettings = Object.assign({}, ...sampleLayers) as { interval_seconds?: number };
    const agentSocket = merged.use_agent === false ? undefined : env['SSH_AUTH_SOCK'] || undefined;
    const platform =
      ('platform' in host && host.platform) ||
      host.groups.map((g) => raw.groups[g]?.platform).find((p) => p !== undefined) ||
      'linux';
    if (platform === 'windows' && host.local)
      problems.push(
        `hosts[${index}] (${host.name}): a Windows host is collected over SSH, not as this machine (local: true)`,
      );
    return {
      name: host.name,
      platform,
      address: host.address ?? openSsh?.hostName ?? host.name,
      groups: host.groups,
      labels: host.labels,
      local: host.local,
      ssh: {
        user: merged.user ?? env['USER'] ?? 'root',
        port: merged.port ?? 22,
        privateKeyFile: merged.private_key_file ? expand(merged.private_key_file) : undefined,
        ...(openSsh && Object.keys(openSsh.settings).length + (openSsh.hostName ? 1 : 0) > 0
          ? { fromSshConfig: sshConfigPath }
          : {}),
        passphrase: secret(merged.passphrase, `hosts[${index}].ssh.passphrase`),
        agentSocket,
        knownHostsFile: expand(merged.known_hosts_file ?? '~/.ssh/known_hosts'),
        connectTimeoutMs: (merged.connect_timeout_seconds ?? 10) * 1000,
        commandTimeoutMs: (merged.command_timeout_seconds ?? 120) * 1000,
        jump: merged.jump_host
          ? parseJumpHost(merged.jump_host, merged.user ?? env['USER'] ?? 'root', merged.jump_parallelism ?? 8)
          : undefined,
      },
      collect: {
        authLog: collect.auth_log ?? 'auto',
        maxOutputBytes: collect.max_output_bytes ?? 16 * 1024 * 1024,
        backups: collect.backups ?? [],
        allowedPorts: collect.allowed_ports && collect.allowed_ports.length > 0 ? collect.allowed_ports : null,
        updates: collect.updates ?? true,
        counters: collect.counters ?? false,
        certificates: collect.certificates ?? [],
      },
      sampleIntervalSeconds: sampleSettings.interval_seconds ?? (raw.sample ?? sampleDefaults()).interval_seconds,
    };
  });
  return hosts;
}

function localHostName(env: Record<string, string | undefined>): string {
  const name = env['INFRA_REPORT_HOSTNAME'] || hostname() || 'localhost';
  return name.replace(/[^A-Za-z0-9._-]/g, '-');
}

/** "[user@]host[:port]" as in ssh -J; "[2001:db8::1]:22" for IPv6. */
function parseJumpHost(spec: string, defaultUser: string, parallelism: number): NonNullable<ResolvedSsh['jump']> {
  const at = spec.lastIndexOf('@');
  const user = at >= 0 ? spec.slice(0, at) : defaultUser;
  const rest = at >= 0 ? spec.slice(at + 1) : spec;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed?.[1]) return { user, address: bracketed[1], port: Number(bracketed[2] ?? 22), parallelism };
  const [address, port] = rest.split(':');
  return { user, address: address ?? rest, port: Number(port ?? 22), parallelism };
}
