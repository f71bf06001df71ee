import { existsSync, readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import path from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { InfraReportError } from '../errors.js';
import { resolveAlertPolicy, type AlertPolicy } from '../alerts/alert-policy.js';
import { loadAnsibleInventory } from './ansible-inventory.js';
import { readSshConfig, type SshConfigHost } from './ssh-config.js';
import {
  apiScopes,
  configSchema,
  type ApiScope,
  type HostConfig,
  type RawConfig,
  type SecretRef,
  type SshSettings,
} from './schema.js';

const sampleDefaults = {
  interval_seconds: 30,
  max_connections: 1000,
  idle_timeout_seconds: 300,
  reconnect_backoff_seconds: 5,
};

/** An incoming webhook (its URL is a secret); groups: null for every host. */
export interface NotifyWebhook {
  kind: 'mattermost' | 'slack';
  url: string;
  groups: string[] | null;
  events: ('daily' | 'alerts')[];
}

/** A bearer token the API accepts, what it allows, and the name the logs give it. */
export interface ApiToken {
  token: string;
  scopes: ApiScope[];
  name: string;
}

/** Raised for any configuration problem; `problems` lists each one with the key path it concerns. */
export class ConfigError extends InfraReportError {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super('CONFIG_INVALID', `invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ResolvedSsh {
  user: string;
  port: number;
  privateKeyFile: string | undefined;
  passphrase: string | undefined;
  /** Path of the agent socket when agent authentication is enabled and a socket exists. */
  agentSocket: string | undefined;
  knownHostsFile: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  jump: { user: string; address: string; port: number; parallelism: number } | undefined;
  /** The OpenSSH client configuration that gave some of these settings (check-config says so). */
  fromSshConfig?: string | undefined;
}

export interface ResolvedHost {
  name: string;
  /** Where to connect: the configured address, or the name itself. */
  address: string;
  groups: string[];
  labels: Record<string, string>;
  /** Collected on this machine without SSH. */
  local: boolean;
  ssh: ResolvedSsh;
  collect: {
    authLog: string;
    maxOutputBytes: number;
    backups: { name: string; path: string; max_age_hours: number }[];
    /** Null when listening ports are not checked. */
    allowedPorts: string[] | null;
    /** Check pending updates (the package simulation runs when the package state changed). */
    updates: boolean;
    /** Certificate files on the host and TLS ports of the host whose expiry is watched. */
    certificates: ({ path: string } | { port: number; server_name?: string | undefined })[];
  };
  /** Live sampling interval (sample.interval_seconds, per group and host). */
  sampleIntervalSeconds: number;
}

export interface Config {
  /** Where the configuration came from (a path, or "defaults"). */
  source: string;
  report: RawConfig['report'];
  hosts: ResolvedHost[];
  redis: { url: string; prefix: string } | undefined;
  influx:
    | (Omit<NonNullable<RawConfig['influx']>, 'token' | 'password'> & {
        token: string | undefined;
        password: string | undefined;
      })
    | undefined;
  smtp: (Omit<NonNullable<RawConfig['smtp']>, 'password'> & { password: string | undefined }) | undefined;
  artifacts: { backend: 'redis' | 'filesystem'; directory: string; retentionSeconds: number };
  collector: RawConfig['collector'];
  pipeline: RawConfig['pipeline'];
  schedule: RawConfig['schedule'];
  metrics: RawConfig['metrics'];
  api: Omit<RawConfig['api'], 'tokens'> & { tokens: ApiToken[] };
  /** Sampling settings; `enabled`: the configuration has a sample section (the collector service samples). */
  sample: NonNullable<RawConfig['sample']> & { enabled: boolean };
  /** Per group: its team's email addresses. */
  groups: Record<string, { recipients: string[] }>;
  notify: {
    alertEmail: boolean;
    attachRunLog: boolean;
    webhooks: NotifyWebhook[];
    alertmanager: AlertmanagerSettings | undefined;
    /** Alert emails and webhooks from us: off when Alertmanager does the notifying (unless kept). */
    ownAlertNotifications: boolean;
  };
  /** Which rules page from sampling and from collections, hold times, grouping. */
  alerts: AlertPolicy;
  archive: NonNullable<RawConfig['archive']> | undefined;
}

export interface AlertmanagerSettings {
  urls: string[];
  resendSeconds: number;
  bearerToken: string | undefined;
  timeoutMs: number;
}

/** What the loader may read from the outside world; passed in so nothing reads process.env deep inside. */
export interface ConfigEnvironment {
  env: Record<string, string | undefined>;
  readFile?: (file: string) => string;
  cwd?: string;
}

export const defaultConfigPaths = ['./infra-report.yaml', '/etc/infra-report/config.yaml'];

/** Finds the configuration file: the given path, $INFRA_REPORT_CONFIG, or the default locations. */
export function findConfigFile(explicit: string | undefined, environment: ConfigEnvironment): string | undefined {
  if (explicit) return explicit;
  const fromEnv = environment.env['INFRA_REPORT_CONFIG'];
  if (fromEnv) return fromEnv;
  const cwd = environment.cwd ?? process.cwd();
  return defaultConfigPaths.map((p) => path.resolve(cwd, p)).find((p) => existsSync(p));
}

/** Reads, validates and resolves a configuration file; without a file, the defaults (this machine only). */
export function loadConfig(file: string | undefined, environment: ConfigEnvironment): Config {
  const readFile = environment.readFile ?? ((f: string) => readFileSync(f, 'utf8'));
  if (!file) return parseConfig('', 'defaults', environment);
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    throw new ConfigError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  return parseConfig(text, file, environment);
}

/** Validates YAML text; every problem names its key path and what was expected. */
export function parseConfig(text: string, source: string, environment: ConfigEnvironment): Config {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      source,
      document.errors.map((e) => `YAML syntax: ${e.message.split('\n')[0]}`),
    );
  }
  const data: unknown = document.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(source, ['the file must be a YAML mapping (key: value) at the top level']);
  }
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) throw new ConfigError(source, parsed.error.issues.map(describeIssue));
  return resolveConfig(parsed.data, source, environment);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path) || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  if (issue.code === 'invalid_union' && issue.path.length > 0) {
    return `${where}: expected a string, { env: VARIABLE } or { file: /path }`;
  }
  return `${where}: ${issue.message}`;
}

function formatPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>((out, segment) => {
    if (typeof segment === 'number') return `${out}[${segment}]`;
    return out ? `${out}.${String(segment)}` : String(segment);
  }, '');
}

function resolveConfig(raw: RawConfig, source: string, environment: ConfigEnvironment): Config {
  const { env } = environment;
  const problems: string[] = [];
  const home = env['HOME'] ?? homedir();
  const baseDir =
    source === 'defaults'
      ? (environment.cwd ?? process.cwd())
      : path.dirname(path.resolve(environment.cwd ?? process.cwd(), source));
  const expand = (p: string) => {
    const withHome = p === '~' || p.startsWith('~/') ? path.join(home, p.slice(1)) : p;
    return path.resolve(baseDir, withHome);
  };
  const secret = (ref: SecretRef | undefined, keyPath: string): string | undefined => {
    if (ref === undefined) return undefined;
    if (typeof ref === 'string') return ref;
    if ('env' in ref) {
      const value = env[ref.env];
      if (value === undefined || value === '') problems.push(`${keyPath}: environment variable ${ref.env} is not set`);
      return value;
    }
    try {
      return (environment.readFile ?? ((f: string) => readFileSync(f, 'utf8')))(expand(ref.file)).trim();
    } catch (error) {
      problems.push(`${keyPath}: cannot read secret file ${ref.file}: ${(error as Error).message}`);
      return undefined;
    }
  };

  const inventoryHosts: HostConfig[] = [];
  if (raw.inventory) {
    const location = expand(raw.inventory.file);
    try {
      const inventory = loadAnsibleInventory(location, {
        readFile: environment.readFile ?? ((f: string) => readFileSync(f, 'utf8')),
        useAnsibleInventory: raw.inventory.use_ansible_inventory,
      });
      inventory.problems.forEach((p) => problems.push(`inventory.file (${location}): ${p}`));
      for (const h of inventory.hosts) {
        if (raw.hosts.some((own) => own.name === h.name)) continue;
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/.test(h.name)) {
          problems.push(
            `inventory.file (${location}): host name "${h.name}" is not usable (letters, digits, ".", "_", "-")`,
          );
          continue;
        }
        inventoryHosts.push({
          name: h.name,
          address: h.address,
          groups: h.groups,
          labels: { source: 'ansible-inventory' },
          local: h.local,
          ssh: h.ssh,
        });
      }
    } catch (error) {
      problems.push(`inventory.file: cannot read ${location}: ${(error as Error).message}`);
    }
  }
  const configured = [...raw.hosts, ...inventoryHosts];
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
      fromSshConfig = readSshConfig((environment.readFile ?? ((f: string) => readFileSync(f, 'utf8')))(sshConfigPath));
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
    return {
      name: host.name,
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
        certificates: collect.certificates ?? [],
      },
      sampleIntervalSeconds: sampleSettings.interval_seconds ?? (raw.sample ?? sampleDefaults).interval_seconds,
    };
  });

  const redisUrl = env['REDIS_URL'] || raw.redis?.url;
  const influxUrl = env['INFLUX_URL'] || raw.influx?.url;
  const influx = influxUrl
    ? {
        ...(raw.influx ?? {
          api: 'v2' as const,
          org: '',
          bucket: 'infra_report',
          timeout_seconds: 10,
          buffer_max_batches: 20_000,
          username: undefined,
        }),
        url: influxUrl,
        token: env['INFLUX_TOKEN'] || secret(raw.influx?.token, 'influx.token'),
        password: secret(raw.influx?.password, 'influx.password'),
      }
    : undefined;
  const smtp = raw.smtp ? { ...raw.smtp, password: secret(raw.smtp.password, 'smtp.password') } : undefined;
  const tokens: ApiToken[] = [];
  raw.api.tokens.forEach((entry, i) => {
    const scoped = typeof entry === 'object' && 'token' in entry ? entry : undefined;
    const token = scoped
      ? secret(scoped.token, `api.tokens[${i}].token`)
      : secret(entry as SecretRef, `api.tokens[${i}]`);
    // A token written without scopes keeps allowing everything, as before scopes existed.
    if (token) tokens.push({ token, scopes: scoped?.scopes ?? [...apiScopes], name: scoped?.name ?? `token ${i + 1}` });
  });
  if (env['INFRA_REPORT_API_TOKEN'])
    tokens.push({ token: env['INFRA_REPORT_API_TOKEN'], scopes: [...apiScopes], name: 'INFRA_REPORT_API_TOKEN' });

  if (raw.schedule) {
    try {
      CronExpressionParser.parse(raw.schedule.cron, { tz: raw.schedule.timezone });
    } catch (error) {
      problems.push(`schedule.cron: not a cron expression (${(error as Error).message}), e.g. "0 6 * * *"`);
    }
  }
  const webhooks = raw.notify.webhooks.flatMap((hook, i) => {
    const url = secret(hook.url, `notify.webhooks[${i}].url`);
    if (url && !/^https?:\/\/[^\s/]+/.test(url)) {
      // The URL is a secret: say what is wrong, never what it is.
      problems.push(`notify.webhooks[${i}].url: not an http:// or https:// URL`);
      return [];
    }
    return url ? [{ kind: hook.kind, url, groups: hook.groups ?? null, events: hook.events }] : [];
  });
  const alertmanagerRaw = raw.notify.alertmanager;
  const alertmanager: AlertmanagerSettings | undefined = alertmanagerRaw
    ? {
        urls: (Array.isArray(alertmanagerRaw.url) ? alertmanagerRaw.url : [alertmanagerRaw.url]).map((u) =>
          u.replace(/\/+$/, ''),
        ),
        resendSeconds: alertmanagerRaw.resend_seconds,
        bearerToken: secret(alertmanagerRaw.bearer_token, 'notify.alertmanager.bearer_token'),
        timeoutMs: alertmanagerRaw.timeout_seconds * 1000,
      }
    : undefined;
  if (problems.length > 0) throw new ConfigError(source, problems);

  return {
    source,
    report: {
      ...raw.report,
      output_dir: expand(raw.report.output_dir),
      outbox_dir: expand(raw.report.outbox_dir),
      state_dir: expand(raw.report.state_dir),
      logo_file: raw.report.logo_file ? expand(raw.report.logo_file) : undefined,
      cjk_font_file: raw.report.cjk_font_file ? expand(raw.report.cjk_font_file) : undefined,
    },
    hosts,
    redis: redisUrl ? { url: redisUrl, prefix: raw.redis?.prefix ?? 'infra-report' } : undefined,
    influx,
    smtp,
    artifacts: {
      backend: raw.artifacts.backend ?? (redisUrl ? 'redis' : 'filesystem'),
      directory: expand(raw.artifacts.directory),
      retentionSeconds: Math.round(raw.artifacts.retention_days * 86400),
    },
    collector: raw.collector,
    pipeline: raw.pipeline,
    schedule: raw.schedule,
    metrics: raw.metrics,
    api: { ...raw.api, tokens },
    sample: { ...(raw.sample ?? sampleDefaults), enabled: raw.sample !== undefined },
    groups: Object.fromEntries(
      Object.entries(raw.groups).map(([name, group]) => [name, { recipients: group.recipients ?? [] }]),
    ),
    notify: {
      alertEmail: raw.notify.alert_email,
      attachRunLog: raw.notify.attach_run_log,
      webhooks,
      alertmanager,
      ownAlertNotifications: !alertmanagerRaw || alertmanagerRaw.keep_own_notifications,
    },
    alerts: resolveAlertPolicy(raw.alerts, raw.report.thresholds.alert_after_seconds),
    archive: raw.archive
      ? {
          ...raw.archive,
          private_key_file: expand(raw.archive.private_key_file),
          known_hosts_file: expand(raw.archive.known_hosts_file),
        }
      : undefined,
  };
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
