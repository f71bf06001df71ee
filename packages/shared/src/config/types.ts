import { InfraReportError } from '../errors.js';
import type { AlertPolicy } from '../alerts/alert-policy.js';
import type { ApiScope, RawConfig } from './schema.js';

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
  /** linux, or windows (one PowerShell script over OpenSSH, events from the Security log). */
  platform: 'linux' | 'windows';
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
    /** Kernel counters in the daily batch (the sampling reads them anyway). */
    counters: boolean;
    /** Certificate files on the host and TLS ports of the host whose expiry is watched. */
    certificates: ({ path: string } | { port: number; server_name?: string | undefined })[];
  };
  /** Live sampling interval (sample.interval_seconds, per group and host). */
  sampleIntervalSeconds: number;
}

export interface Config {
  /** Where the configuration came from (a path, or "defaults"). */
  source: string;
  /** The home directory ~ stands for ($HOME): where ~/.ssh is looked for. The only reader of HOME. */
  home: string;
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
