import { z } from 'zod';
import { secretSchema } from './secret.js';

/** Rules of immediate alerts. */
export const alertRuleNames = [
  'disk',
  'inodes',
  'load',
  'cpu',
  'memory',
  'temperature',
  'failed_logins',
  'stale_backup',
  'unreachable',
] as const;
export type AlertRuleName = (typeof alertRuleNames)[number];

/** Where a rule is evaluated: every sampling round, or the daily collection. */
export const alertSources = ['sampling', 'collection'] as const;
export type AlertSource = (typeof alertSources)[number];

/** What only one source reads: logs and backups only collections, unreachable rounds only sampling. */
export const alertRuleSources: Record<AlertRuleName, readonly AlertSource[]> = {
  disk: alertSources,
  inodes: alertSources,
  load: alertSources,
  cpu: alertSources,
  memory: alertSources,
  temperature: alertSources,
  failed_logins: ['collection'],
  stale_backup: ['collection'],
  unreachable: ['sampling'],
};

const ruleSettingsSchema = z
  .object({
    /** Where this rule pages: sampling rounds, daily collections, both, or [] (never; the report still has it). */
    on: z.array(z.enum(alertSources)).optional(),
    /** The condition must hold this long (continuously observed) before the alert fires. */
    after_seconds: z.number().min(0).max(86400).optional(),
    /** On collections, the least severity that pages (the report has the rest minutes later). */
    collection_severity: z.enum(['warning', 'critical']).optional(),
  })
  .strict();
export type AlertRuleSettings = z.infer<typeof ruleSettingsSchema>;

/** Immediate alerts: which rules page from where, how they are held and grouped. */
export const alertsSchema = z
  .object({
    /** The first alert of a round waits this long for the rest of it: one notification for all. */
    group_wait_seconds: z.number().min(0).max(3600).default(30),
    /** Alerts new to recipients notified already go out at most this often, together. */
    group_interval_seconds: z.number().min(0).max(86400).default(300),
    /** After a recovery the same alert fires again only after this long (a flapping value pages once). */
    refire_after_seconds: z.number().min(0).max(86400).default(900),
    rules: z.partialRecord(z.enum(alertRuleNames), ruleSettingsSchema).default({}),
  })
  .strict()
  .superRefine((alerts, ctx) => {
    for (const [rule, settings] of Object.entries(alerts.rules) as [AlertRuleName, AlertRuleSettings][]) {
      for (const source of settings.on ?? []) {
        if (!alertRuleSources[rule].includes(source))
          ctx.addIssue({
            code: 'custom',
            path: ['rules', rule, 'on'],
            message: `${rule} is only evaluated on ${alertRuleSources[rule].join(' and ')} (not ${source})`,
          });
      }
    }
  })
  .prefault({});

/** Prometheus Alertmanager (its v2 API) as the alert channel: it groups, routes and silences. */
export const alertmanagerSchema = z
  .object({
    /** One Alertmanager, or every member of an HA cluster (each gets every alert, as Prometheus does). */
    url: z.union([z.url(), z.array(z.url()).min(1)]),
    /** Firing alerts are posted again this often so that Alertmanager does not resolve them. */
    resend_seconds: z.number().min(5).max(3600).default(60),
    /** Also send our own alert emails and webhooks (off: Alertmanager does the notifying). */
    keep_own_notifications: z.boolean().default(false),
    bearer_token: secretSchema.optional(),
    timeout_seconds: z.number().positive().max(120).default(10),
  })
  .strict();
