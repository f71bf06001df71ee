import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Transporter } from 'nodemailer';
import type { ArtifactStore, Config, DeliverResult, Logger, RenderResult } from '@infra-report/shared';
import { composeMessage } from './compose-message.js';

/**
 * Remembers deliveries so a retried or re-triggered deliver job never sends twice: the intent
 * is recorded before the SMTP transaction, the outcome after it. An intent without an outcome
 * means the last attempt died between the two (the server may have taken the message).
 */
export interface DeliveryLedger {
  deliveredAt(runId: string): Promise<string | null>;
  /** Records an attempt about to send; returns the previous attempt still without an outcome, if any. */
  recordIntent(runId: string, intent: Omit<DeliveryIntent, 'attempt'>): Promise<DeliveryIntent | null>;
  markDelivered(runId: string, at: string): Promise<void>;
}

export interface DeliveryIntent {
  at: string;
  messageId: string;
  /** Counted by the ledger: 1 for the first attempt of a run. */
  attempt: number;
}

/** What the mailer counts (Prometheus in the service; nothing in the one-process run). */
export interface DeliveryMetrics {
  delivered(): void;
  /** The SMTP server (or the outbox) did not take the message; the job retries. */
  sendFailed(): void;
  alreadyDelivered(): void;
  possibleDuplicate(): void;
}

export type MailDestination =
  | {
      kind: 'smtp';
      transport: Transporter;
      from: string;
      to: string[];
      maxAttachmentBytes: number;
      publicUrl: string | undefined;
    }
  /** No SMTP configured: the message is written as an .eml file to read or forward. */
  | { kind: 'outbox'; transport: Transporter; directory: string; from: string; to: string[] };

export interface DeliverDependencies {
  artifacts: ArtifactStore;
  destination: MailDestination;
  report: Config['report'];
  ledger: DeliveryLedger | undefined;
  now(): Date;
  logger: Logger;
  metrics?: DeliveryMetrics | undefined;
}

/**
 * The Message-ID of a run's email, the same on every attempt: when an attempt died after the
 * server's 250 and before the outcome was recorded, the retry is the same message, which mail
 * systems (and readers) recognise as a duplicate.
 */
export function runMessageId(runId: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'infra-report.invalid';
  return `<report.${runId.replace(/[^A-Za-z0-9._+-]/g, '-')}@${domain}>`;
}

async function sendMail(
  destination: MailDestination,
  metrics: DeliveryMetrics | undefined,
  message: Parameters<MailDestination['transport']['sendMail']>[0],
) {
  try {
    return await destination.transport.sendMail(message);
  } catch (error) {
    metrics?.sendFailed();
    throw error;
  }
}

/** A report file expired from the artifact store before the email could carry it. */
export class ArtifactMissingError extends Error {
  override name = 'ArtifactMissingError';
}

/** The deliver job: one email with the PDF and XLSX attached (or linked when too large). */
export async function deliverRun(result: RenderResult, deps: DeliverDependencies): Promise<DeliverResult> {
  const { run } = result;
  const earlier = await deps.ledger?.deliveredAt(run.runId);
  if (earlier) {
    deps.logger.info({ run: run.runId, deliveredAt: earlier }, 'run already delivered: not sending again');
    deps.metrics?.alreadyDelivered();
    return { runId: run.runId, deliveredAt: earlier, messageId: null, destination: 'already delivered' };
  }

  const files = await Promise.all(
    result.artifacts.map(async (artifact) => {
      const content = await deps.artifacts.get(artifact.key);
      if (!content)
        throw new ArtifactMissingError(
          `report file ${artifact.fileName} is no longer in the artifact store (${deps.artifacts.describe(artifact.key)})`,
        );
      return { artifact, content };
    }),
  );
  const totalBytes = files.reduce((sum, f) => sum + f.content.length, 0);
  const { destination } = deps;
  const linkInstead =
    destination.kind === 'smtp' && totalBytes > destination.maxAttachmentBytes && destination.publicUrl !== undefined;
  const links =
    linkInstead && destination.kind === 'smtp'
      ? files.map((f) => ({
          fileName: f.artifact.fileName,
          url: `${destination.publicUrl?.replace(/\/+$/, '')}/v1/runs/${encodeURIComponent(run.runId)}/files/${encodeURIComponent(f.artifact.fileName)}`,
        }))
      : [];
  const message = composeMessage(result, deps.report.title, links);
  const messageId = runMessageId(run.runId, destination.from);
  const previous = await deps.ledger?.recordIntent(run.runId, { at: deps.now().toISOString(), messageId });
  if (previous) {
    deps.logger.warn(
      { run: run.runId, messageId, previousAttemptAt: previous.at, attempt: previous.attempt + 1 },
      'possible duplicate: an earlier attempt may have been delivered before it could be recorded; sending again with the same Message-ID',
    );
    deps.metrics?.possibleDuplicate();
  }
  const info = await sendMail(destination, deps.metrics, {
    messageId,
    from: destination.from,
    to: destination.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    attachments: linkInstead
      ? []
      : files.map((f) => ({ filename: f.artifact.fileName, content: f.content, contentType: f.artifact.contentType })),
  });

  const deliveredAt = deps.now().toISOString();
  let where: string;
  if (destination.kind === 'outbox') {
    await mkdir(destination.directory, { recursive: true });
    where = path.join(destination.directory, `${run.runId}.eml`);
    await writeFile(where, info.message as Buffer);
  } else {
    where = destination.to.join(', ');
  }
  await deps.ledger?.markDelivered(run.runId, deliveredAt);
  deps.metrics?.delivered();
  deps.logger.info({ run: run.runId, destination: where, messageId: info.messageId }, 'report delivered');
  return { runId: run.runId, deliveredAt, messageId: info.messageId ?? null, destination: where };
}
