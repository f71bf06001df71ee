import { z } from 'zod';
import { isKnownTimeZone } from '../../wall-clock.js';
import { secretSchema } from './secret.js';

/** What an API token allows: read (every GET under /v1), trigger (POST /v1/reports), silence (alert silences). */
export const apiScopes = ['read', 'trigger', 'silence'] as const;
export type ApiScope = (typeof apiScopes)[number];

/** Live sampling: `infra-report watch`, and the collector service when this section is present. */
export const sampleSchema = z
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
  .optional();

export const redisSchema = z
  .object({
    url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'),
    prefix: z.string().min(1).default('infra-report'),
  })
  .strict()
  .optional();

export const influxSchema = z
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
  .optional();

export const collectorSchema = z
  .object({
    concurrency: z.number().int().min(1).max(1000).default(50),
    /** Hosts whose TCP connection and SSH banner are awaited at once (one-process run); they hold no session slot. */
    pending_connections: z.number().int().min(1).max(10000).default(1000),
    attempts: z.number().int().min(1).max(20).default(3),
    backoff_seconds: z.number().min(0).default(10),
  })
  .strict()
  .prefault({});

export const pipelineSchema = z
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
  .prefault({});

/**
 * A schedule kept in Redis (BullMQ job scheduler), for compose and single machines without a
 * Kubernetes CronJob; the services fire it, a second scheduler for the same day is a no-op.
 */
export const scheduleSchema = z
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
  .optional();

/** Each worker's Prometheus endpoint (GET /metrics); METRICS_PORT overrides a service's port. */
export const metricsSchema = z
  .object({
    host: z.string().default('0.0.0.0'),
    collector_port: z.number().int().min(0).max(65535).default(9464),
    renderer_port: z.number().int().min(0).max(65535).default(9465),
    mailer_port: z.number().int().min(0).max(65535).default(9466),
  })
  .strict()
  .prefault({});

export const apiSchema = z
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
  .prefault({});
