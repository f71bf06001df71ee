import { z } from 'zod';
import { isKnownTimeZone } from '../../wall-clock.js';
import { alertRuleNames } from './alerts.js';

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

export const reportSchema = z
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
  .prefault({});
