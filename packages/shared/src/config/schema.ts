import { z } from 'zod';
import { alertsSchema } from './schema/alerts.js';
import { archiveSchema, artifactsSchema, notifySchema, smtpSchema } from './schema/delivery.js';
import { collectSettingsSchema, groupSchema, hostSchema, inventorySchema, sshSettingsSchema } from './schema/hosts.js';
import {
  apiSchema,
  collectorSchema,
  influxSchema,
  metricsSchema,
  pipelineSchema,
  redisSchema,
  sampleSchema,
  scheduleSchema,
} from './schema/pipeline.js';
import { reportSchema } from './schema/report.js';

export * from './schema/alerts.js';
export * from './schema/delivery.js';
export * from './schema/hosts.js';
export * from './schema/pipeline.js';
export * from './schema/report.js';
export * from './schema/secret.js';

/** The configuration file, by concern: hosts, report, delivery, pipeline, alerts (schema/). */
export const configSchema = z
  .object({
    report: reportSchema,
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
    sample: sampleSchema,
    notify: notifySchema,
    archive: archiveSchema,
    inventory: inventorySchema,
    redis: redisSchema,
    influx: influxSchema,
    smtp: smtpSchema,
    artifacts: artifactsSchema,
    collector: collectorSchema,
    pipeline: pipelineSchema,
    schedule: scheduleSchema,
    metrics: metricsSchema,
    api: apiSchema,
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
