import { z } from 'zod';
import { alertmanagerSchema } from './alerts.js';
import { secretSchema } from './secret.js';

export const notifySchema = z
  .object({
    /** Short alert emails (to smtp.to and the host's groups' recipients). */
    alert_email: z.boolean().default(true),
    /** Incoming webhooks: the daily summary, alerts and recoveries; limited to groups when given. */
    webhooks: z
      .array(
        z
          .object({
            kind: z.enum(['mattermost', 'slack']),
            url: secretSchema,
            groups: z.array(z.string().min(1)).optional(),
            /** What it receives: the daily summary and/or alerts (with recoveries). */
            events: z.array(z.enum(['daily', 'alerts'])).default(['daily', 'alerts']),
          })
          .strict(),
      )
      .default([]),
    /** Attach the run's warnings and errors (unreachable hosts, gaps, retries) to the daily email. */
    attach_run_log: z.boolean().default(false),
    /** Alerts go to Prometheus Alertmanager (v2 API); our own alert emails and webhooks stop unless kept. */
    alertmanager: alertmanagerSchema.optional(),
  })
  .strict()
  .prefault({});

/** The day's PDF and XLSX uploaded over SFTP, verified, and old archives purged. */
export const archiveSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().min(1),
    private_key_file: z.string().min(1),
    known_hosts_file: z.string().min(1).default('~/.ssh/known_hosts'),
    directory: z.string().min(1),
    retention_days: z.number().positive().default(90),
    /** One .tgz with both files instead of the two files. */
    tgz: z.boolean().default(false),
  })
  .strict()
  .optional();

export const smtpSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** true: TLS from the first byte (port 465); false: STARTTLS when offered. */
    secure: z.boolean().default(false),
    user: z.string().optional(),
    password: secretSchema.optional(),
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
    /** Attachments larger than this in total are replaced by download links. */
    max_attachment_bytes: z
      .number()
      .int()
      .positive()
      .default(20 * 1024 * 1024),
  })
  .strict()
  .optional();

export const artifactsSchema = z
  .object({
    backend: z.enum(['redis', 'filesystem']).optional(),
    directory: z.string().min(1).default('./reports'),
    retention_days: z.number().positive().default(14),
  })
  .strict()
  .prefault({});
