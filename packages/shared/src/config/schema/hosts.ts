import { z } from 'zod';
import { secretSchema } from './secret.js';

/** What a host name may be (configuration, inventories). */
export const hostNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/** What a host runs: Linux (and other Unix) by default, or Windows (PowerShell over OpenSSH). */
export const platformSchema = z.enum(['linux', 'windows']);

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
     * Kernel counters (Telegraf's kernel, diskio, net, netstat, nstat, linux_sysctl_fs inputs)
     * in the daily collection too. The live sampling reads them every interval; the daily
     * report does not use them, so by default the daily batch leaves them out.
     */
    counters: z.boolean().optional(),
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
    /** windows: collected over the OpenSSH server Windows ships, with one PowerShell script. */
    platform: platformSchema.optional(),
  })
  .strict();
export type HostConfig = z.infer<typeof hostSchema>;

export const groupSchema = z
  .object({
    ssh: sshSettingsSchema.optional(),
    collect: collectSettingsSchema.optional(),
    sample: sampleSettingsSchema.optional(),
    platform: platformSchema.optional(),
    /** This group's team: they get the report of the group's hosts and its hosts' alerts. */
    recipients: z.array(z.string().min(3)).optional(),
  })
  .strict();

/**
 * An Ansible inventory (a file, INI or YAML, or a directory with group_vars/ and host_vars/)
 * as the host list; hosts listed under `hosts` override it. use_ansible_inventory: take
 * `ansible-inventory --list` as the source of truth (needs Ansible on this machine).
 */
export const inventorySchema = z
  .object({
    file: z.string().min(1),
    /** Ignored: the format is told by content, as Ansible does. */
    format: z.enum(['ini', 'yaml']).optional(),
    use_ansible_inventory: z.boolean().default(false),
  })
  .strict()
  .optional();
