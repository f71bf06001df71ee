import nodemailer from 'nodemailer';
import type { Redis } from 'ioredis';
import type { Config } from '@infra-report/shared';
import type { DeliveryLedger, MailDestination } from './deliver-run.js';

/** SMTP when configured; otherwise an .eml file in the outbox directory. */
export function createMailDestination(config: Config): MailDestination {
  const { smtp } = config;
  if (!smtp) {
    return {
      kind: 'outbox',
      transport: nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }),
      directory: config.report.outbox_dir,
      from: 'infra-report@localhost',
      to: ['root@localhost'],
    };
  }
  return {
    kind: 'smtp',
    transport: nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
    }),
    from: smtp.from,
    to: smtp.to,
    maxAttachmentBytes: smtp.max_attachment_bytes,
    publicUrl: config.api.public_url,
  };
}

export function createRedisDeliveryLedger(redis: Redis, prefix: string, retentionSeconds: number): DeliveryLedger {
  const key = (runId: string) => `${prefix}:delivered:${runId}`;
  return {
    deliveredAt: (runId) => redis.get(key(runId)),
    async markDelivered(runId, at) {
      await redis.set(key(runId), at, 'EX', Math.max(86400, Math.round(retentionSeconds)));
    },
  };
}
