import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { resolveAlertPolicy } from '../alerts/alert-policy.js';
import { createResolveContext } from './resolve-context.js';
import { resolveHosts, sampleDefaults } from './resolve-hosts.js';
import { resolveServices } from './resolve-services.js';
import { configSchema, type RawConfig } from './schema.js';
import { ConfigError, type Config, type ConfigEnvironment } from './types.js';

export * from './types.js';

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

/** The validated file as the services use it: paths expanded, secrets read, hosts layered. */
function resolveConfig(raw: RawConfig, source: string, environment: ConfigEnvironment): Config {
  const context = createResolveContext(source, environment);
  const { expand, home, problems } = context;
  const hosts = resolveHosts(raw, context);
  const { redisUrl, influx, smtp, tokens, webhooks, alertmanager } = resolveServices(raw, context);
  const alertmanagerRaw = raw.notify.alertmanager;
  if (problems.length > 0) throw new ConfigError(source, problems);

  return {
    source,
    home,
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
    sample: { ...(raw.sample ?? sampleDefaults()), enabled: raw.sample !== undefined },
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
