import { z } from 'zod';
import { isKnownTimeZone } from '../wall-clock.js';
import { alertmanagerSchema, alertRuleNames, alertsSchema } from './alerts-schema.js';

export * from './alerts-schema.js';

/**
 * A secret is given inline (only when the user chooses to), or named: `{ env: VAR }` reads an
 * environment variable, `{ file: PATH }` reads a file (a mounted Kubernetes Secret).
 */
export const secretSchema = z.union([
  z.string(),
  z.object({ env: z.string().min(1) }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);
export type SecretRef = z.infer<typeof secretSchema>;

/** What an API token allows: read (every GET under /v1), trigger (POST /v1/reports), silence (alert silences). */
export const apiScopes = ['read', 'trigger', 'silence'] as const;
export type ApiScope = (typeof apiScopes)[number];

const hostNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/** SSH settings: defaults at the top, overridden per group, then per host. */
export const sshSettingsSchema = z
  .object({
    user: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    private_key_file: z.string().min(1).optional(),
    passphrase: secretSchema.optional(),
    use_agent: z.boolean().optional(),
    known_hosts_file: z.string().min(1).optional(),
    connect_timeout_seconds: z.number().positive().max(600).optional(),
    command_timeout_seconds: z.number().positive().max(3600).optional(),
    /** ProxyJump: "[user@]host[:port]"; the same key and known_hosts are used for it. */
    jump_host: z
      .string()
      .regex(/^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9._:[\]-]+$/, '"[user@]host[:port]"')
      .optional(),
    /** Connections opened at once through one jump host (stock sshd drops handshakes beyond MaxStartups 10). */
    jump_parallelism: z.number().int().min(1).max(100).optional(),
  })
  .strict();
export type SshSettings = z.infer<typeof sshSettingsSchema>;

/** What to read on a host, overridable per group and host. */
export const collectSettingsSchema = z
  .object({
    /** `auto` tries /var/log/auth.log then /var/log/secure. */
    auth_log: z.string().min(1).optional(),
    /** Longest output kept per command; more is cut and marked as truncated. */
    max_output_bytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .optional(),
    /** Backups whose freshness is checked: newest file matching the glob, stale after max_age_hours. */
    backups: z
      .array(
        z
          .object({
            name: z.string().min(1),
            path: z.string().regex(/^\//, 'an absolute path or glob'),
            max_age_hours: z.number().positive().default(26),
          })
          .strict(),
      )
      .optional(),
    /** Listening ports that are expected ("22/tcp", "123/udp"); others are reported. Empty: not checked. */
    allowed_ports: z.array(z.string().regex(/^\d{1,5}\/(tcp|udp)$/, 'PORT/tcp or PORT/udp')).optional(),
    /**
     * Pending and security updates: apt simulates an upgrade from the local lists, dnf/yum read
     * their cache; only when the package state changed since the last run. false: not checked.
     */
    updates: z.boolean().optional(),
    /**
     * Certificates whose expiry is watched: a file on the host (read with openssl there) or a TLS
     * port of the host (read by the collector; server_name for SNI, else the host's address).
     */
    certificates: z
      .array(
        z.union([
          z.object({ path: z.string().regex(/^\//, 'an absolute path') }).strict(),
          z
            .object({
              port: z.number().int().min(1).max(65535),
              server_name: z.string().min(1).optional(),
            })
            .strict(),
        ]),
      )
      .optional(),
  })
  .strict();

/** Live sampling (infra-report watch, the collector service): every interval_seconds per host. */
export const sampleSettingsSchema = z
  .object({
    interval_seconds: z.number().min(1).max(86400).optional(),
  })
  .strict();

export const hostSchema = z
  .object({
    name: z.string().regex(hostNamePattern, 'letters, digits, ".", "_" or "-", starting with a letter or digit'),
    address: z.string().min(1).optional(),
    groups: z.array(z.string().min(1)).default([]),
    labels: z.record(z.string(), z.string()).default({}),
    ssh: sshSettingsSchema.optional(),
    collect: collectSettingsSchema.optional(),
    sample: sampleSettingsSchema.optional(),
    /** Collect this machine without SSH. */
    local: z.boolean().default(false),
  })
  .strict();
export type HostConfig = z.infer<typeof hostSchema>;

export const groupSchema = z
  .object({
    ssh: sshSettingsSchema.optional(),
    collect: collectSettingsSchema.optional(),
    sample: sampleSettingsSchema.optional(),
    /** This group's team: they get the report of the group's hosts and its hosts' alerts. */
    recipients: z.array(z.string().min(3)).optional(),
  })
  .strict();

const percent = z.number().min(0).max(100);

/** The report's sections, in order; `report.sections` picks which ones appear. */
export const reportSectionNames = [
  'summary',
  'alerts',
  'changes',
  'disks',
  'logins',
  'uptime',
  'health',
  'resources',
  'security',
  'processes',
  'backups',
  'unreachable',
  'errors',
  'appendix',
] as const;

export const configSchema = z
  .object({
    report: z
      .object({
        title: z.string().min(1).default('Daily Infrastructure Report'),
        company: z.string().optional(),
        /** A PNG or JPEG shown at the top of the PDF. */
        logo_file: z
          .string()
          .regex(/\.(png|jpe?g)$/i, 'a .png or .jpg file')
          .optional(),
        sections: z.array(z.enum(reportSectionNames)).default([...reportSectionNames]),
        /** A TTF/OTF/TTC font with CJK glyphs; by default fonts-wqy-microhei or Noto Sans CJK where installed. */
        cjk_font_file: z
          .string()
          .regex(/\.(ttf|otf|ttc)$/i, 'a .ttf, .otf or .ttc file')
          .optional(),
        /** How hosts are grouped in the report: by their first group, by a label ("label:site"), or not at all. */
        group_by: z
          .string()
          .regex(/^(group|none|label:[A-Za-z0-9_.-]+)$/, '"group", "none" or "label:NAME"')
          .default('group'),
        /** The PDF's per-host appendix stops after this many hosts (the XLSX always has all). */
        appendix_max_hosts: z.number().int().min(0).default(20),
        /** IANA time zone the report's dates and times are shown in. */
        timezone: z
          .string()
          .default('UTC')
          .refine(isKnownTimeZone, { message: 'an IANA time zone such as "UTC" or "Europe/Paris"' }),
        window_hours: z
          .number()
          .positive()
          .max(24 * 31)
          .default(24),
        output_dir: z.string().min(1).default('./reports'),
        outbox_dir: z.string().min(1).default('./outbox'),
        /** One-process mode: where each host's auth log read position is remembered. */
        state_dir: z.string().min(1).default('./.infra-report-state'),
        thresholds: z
          .object({
            disk_warn_percent: percent.default(80),
            disk_critical_percent: percent.default(90),
            /** A certificate expiring within this many days is a warning, within the critical number critical. */
            certificate_warn_days: z.number().int().min(0).default(21),
            certificate_critical_days: z.number().int().min(0).default(7),
            /** Failed SSH logins from one source on one host that make it a brute-force source (a warning). */
            brute_force_attempts: z.number().int().min(1).optional(),
            /** The same figure under its older name; one of the two is enough. */
            failed_logins_warn: z.number().int().min(1).optional(),
            /** Immediate alerts (sampling, collections): inode use, load per CPU, CPU, memory, temperature. */
            inode_warn_percent: percent.default(90),
            load_per_cpu_warn: z.number().positive().default(2),
            /** Load per CPU that makes the load alert critical. */
            load_per_cpu_critical: z.number().positive().default(4),
            cpu_warn_percent: percent.default(95),
            memory_warn_percent: percent.default(95),
            temperature_warn_celsius: z.number().min(0).max(200).default(85),
            /** A host that fails this many sampling rounds in a row is "unreachable". */
            unreachable_rounds: z.number().int().min(1).max(1000).default(3),
            /** Older spelling of alerts.rules.<rule>.after_seconds (which wins when both are set). */
            alert_after_seconds: z.partialRecord(z.enum(alertRuleNames), z.number().min(0).max(86400)).default({}),
            /** An alert clears once the value is this many percent below its threshold (no flapping). */
            hysteresis_percent: z.number().min(0).max(50).default(5),
          })
          .strict()
          .refine(
            (t) =>
              t.brute_force_attempts === undefined ||
              t.failed_logins_warn === undefined ||
              t.brute_force_attempts === t.failed_logins_warn,
            {
              message:
                'brute_force_attempts and failed_logins_warn are one threshold (failed logins from one source that make a warning): set one of them',
            },
          )
          .transform(({ brute_force_attempts, failed_logins_warn, ...rest }) => {
            const attempts = brute_force_attempts ?? failed_logins_warn ?? 10;
            return { ...rest, brute_force_attempts: attempts, failed_logins_warn: attempts };
          })
          .prefault({}),
      })
      .strict()
      .prefault({}),
    ssh: sshSettingsSchema.prefault({}),
    /**
     * An OpenSSH client configuration whose Host entries give HostName, Port, User, IdentityFile
     * and ProxyJump under this file's own settings (default ~/.ssh/config when it exists; false:
     * not read).
     */
    ssh_config_file: z.union([z.string().min(1), z.literal(false)]).optional(),
    collect: collectSettingsSchema.prefault({}),
    groups: z.record(z.string(), groupSchema).default({}),
    hosts: z.array(hostSchema).default([]),
    alerts: alertsSchema,
    /** Live sampling: `infra-report watch`, and the collector service when this section is present. */
    sample: z
      .object({
        interval_seconds: z.number().min(1).max(86400).default(30),
        /** SSH connections kept open per worker; beyond it the least recently used is closed. */
        max_connections: z.number().int().min(1).max(100000).default(1000),
        /** A connection unused this long is closed (a host whose interval is longer reconnects). */
        idle_timeout_seconds: z.number().min(1).default(300),
        /** A failed host is tried again after this, doubling up to its interval times 10. */
        reconnect_backoff_seconds: z.number().min(0).default(5),
      })
      .strict()
      .optional(),
    notify: z
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
      .prefault({}),
    /** The day's PDF and XLSX uploaded over SFTP, verified, and old archives purged. */
    archive: z
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
      .optional(),
    /**
     * An Ansible inventory (a file, INI or YAML, or a directory with group_vars/ and host_vars/)
     * as the host list; hosts listed under `hosts` override it. use_ansible_inventory: take
     * `ansible-inventory --list` as the source of truth (needs Ansible on this machine).
     */
    inventory: z
      .object({
        file: z.string().min(1),
        /** Ignored: the format is told by content, as Ansible does. */
        format: z.enum(['ini', 'yaml']).optional(),
        use_ansible_inventory: z.boolean().default(false),
      })
      .strict()
      .optional(),
    redis: z
      .object({
        url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'),
        prefix: z.string().min(1).default('infra-report'),
      })
      .strict()
      .optional(),
    influx: z
      .object({
        url: z.url(),
        /** v2: the /api/v2/write API (InfluxDB 1.8+, 2.x, 3.x, VictoriaMetrics). v1: /write (InfluxDB < 1.8). */
        api: z.enum(['v1', 'v2']).default('v2'),
        org: z.string().default(''),
        /** Bucket (v2) or database (v1); also the database name InfluxQL queries use. */
        bucket: z.string().min(1).default('infra_report'),
        token: secretSchema.optional(),
        username: z.string().optional(),
        password: secretSchema.optional(),
        timeout_seconds: z.number().positive().default(10),
        /** Host collections kept while InfluxDB is down (Redis for the services, report.state_dir for run); past it the oldest are dropped, counted. */
        buffer_max_batches: z.number().int().min(0).max(1_000_000).default(20_000),
      })
      .strict()
      .optional(),
    smtp: z
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
      .optional(),
    artifacts: z
      .object({
        backend: z.enum(['redis', 'filesystem']).optional(),
        directory: z.string().min(1).default('./reports'),
        retention_days: z.number().positive().default(14),
      })
      .strict()
      .prefault({}),
    collector: z
      .object({
        concurrency: z.number().int().min(1).max(1000).default(50),
        /** Hosts whose TCP connection and SSH banner are awaited at once (one-process run); they hold no session slot. */
        pending_connections: z.number().int().min(1).max(10000).default(1000),
        attempts: z.number().int().min(1).max(20).default(3),
        backoff_seconds: z.number().min(0).default(10),
      })
      .strict()
      .prefault({}),
    pipeline: z
      .object({
        /** A run renders with what it has this long after it was triggered, whatever the workers do. */
        run_deadline_minutes: z
          .number()
          .positive()
          .max(24 * 60)
          .default(90),
        /** A failed delivery (SMTP down, 4xx) is tried again after this, doubling, 5 times in all. */
        deliver_backoff_seconds: z.number().min(0).max(3600).default(30),
      })
      .strict()
      .prefault({}),
    /**
     * A schedule kept in Redis (BullMQ job scheduler), for compose and single machines without a
     * Kubernetes CronJob; the services fire it, a second scheduler for the same day is a no-op.
     */
    schedule: z
      .object({
        cron: z.string().min(9).max(100),
        timezone: z
          .string()
          .default('UTC')
          .refine(isKnownTimeZone, { message: 'an IANA time zone such as "UTC" or "Europe/Paris"' }),
        groups: z.array(z.string().min(1)).optional(),
        hosts: z.array(z.string().min(1)).optional(),
      })
      .strict()
      .optional(),
    /** Each worker's Prometheus endpoint (GET /metrics); METRICS_PORT overrides a service's port. */
    metrics: z
      .object({
        host: z.string().default('0.0.0.0'),
        collector_port: z.number().int().min(0).max(65535).default(9464),
        renderer_port: z.number().int().min(0).max(65535).default(9465),
        mailer_port: z.number().int().min(0).max(65535).default(9466),
      })
      .strict()
      .prefault({}),
    api: z
      .object({
        host: z.string().default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(8080),
        /**
         * Bearer tokens accepted by the API (besides /healthz and /metrics): a secret (allowed
         * everything), or { token, scopes, name } with scopes read (GET) and trigger (POST /v1/reports).
         */
        tokens: z
          .array(
            z.union([
              secretSchema,
              z
                .object({
                  token: secretSchema,
                  scopes: z.array(z.enum(apiScopes)).min(1),
                  /** Shown in the logs instead of the token. */
                  name: z.string().min(1).max(100).optional(),
                })
                .strict(),
            ]),
          )
          .default([]),
        public_url: z.url().optional(),
        /** Requests a minute per client address, failed authentications included (health and metrics aside). */
        rate_limit_per_minute: z.number().int().min(1).default(100),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.hosts.forEach((host, index) => {
      const earlier = seen.get(host.name);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['hosts', index, 'name'],
          message: `duplicate host name "${host.name}" (also hosts[${earlier}])`,
        });
      }
      seen.set(host.name, index);
    });
    const { load_per_cpu_warn: loadWarn, load_per_cpu_critical: loadCritical } = config.report.thresholds;
    if (loadWarn > loadCritical) {
      ctx.addIssue({
        code: 'custom',
        path: ['report', 'thresholds', 'load_per_cpu_warn'],
        message: `must not exceed load_per_cpu_critical (${loadCritical})`,
      });
    }
    const { disk_warn_percent: warn, disk_critical_percent: critical } = config.report.thresholds;
    if (warn > critical) {
      ctx.addIssue({
        code: 'custom',
        path: ['report', 'thresholds', 'disk_warn_percent'],
        message: `must not exceed disk_critical_percent (${critical})`,
      });
    }
  });

export type RawConfig = z.infer<typeof configSchema>;
