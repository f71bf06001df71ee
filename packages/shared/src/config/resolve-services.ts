import { CronExpressionParser } from 'cron-parser';
import type { ResolveContext } from './resolve-context.js';
import { apiScopes, influxSchema, type RawConfig, type SecretRef } from './schema.js';
import type { AlertmanagerSettings, ApiToken, Config } from './types.js';

/** Redis, InfluxDB, SMTP, API tokens, webhooks and Alertmanager, with their secrets read. */
export function resolveServices(raw: RawConfig, context: ResolveContext) {
  const { env, secret, problems } = context;
  const redisUrl = env['REDIS_URL'] || raw.redis?.url;
  const influxUrl = env['INFLUX_URL'] || raw.influx?.url;
  const influx = influxUrl
    ? {
        ...(raw.influx ?? influxSchema.unwrap().parse({ url: influxUrl })),
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
  return { redisUrl, influx, smtp, tokens, webhooks, alertmanager } satisfies {
    redisUrl: string | undefined;
    influx: Config['influx'];
    smtp: Config['smtp'];
    tokens: ApiToken[];
    webhooks: Config['notify']['webhooks'];
    alertmanager: AlertmanagerSettings | undefined;
  };
}
