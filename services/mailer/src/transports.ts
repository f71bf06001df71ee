import nodemailer from 'nodemailer';
import type { Redis } from 'ioredis';
import type { Config } from '@infra-report/shared';
import type { DeliveryIntent, DeliveryLedger, MailDestination } from './deliver-run.js';

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

/**
 * The ledger in Redis, kept 400 days whatever the artifact retention: a delivered run must never
 * lose its mark while anything could trigger it again. Needs Redis with AOF (see the README's
 * guarantees): a snapshot-only Redis restarted after a crash can forget recent marks.
 */
export function createRedisDeliveryLedger(redis: Redis, prefix: string): DeliveryLedger {
  const keep = 400 * 86400;
  const delivered = (runId: string) => `${prefix}:delivered:${runId}`;
  const intent = (runId: string) => `${prefix}:delivery-intent:${runId}`;
  return {
    deliveredAt: (runId) => redis.get(delivered(runId)),
    async recordIntent(runId, next) {
      const previousText = await redis.get(intent(runId));
      const previous = previousText ? (JSON.parse(previousText) as DeliveryIntent) : null;
      const record = { ...next, attempt: (previous?.attempt ?? 0) + 1 };
      await redis.set(intent(runId), JSON.stringify(record), 'EX', keep);
      return previous;
    },
    async markDelivered(runId, at) {
      await redis.multi().set(delivered(runId), at, 'EX', keep).del(intent(runId)).exec();
    },
  };
}
