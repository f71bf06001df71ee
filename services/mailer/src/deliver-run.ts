import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Transporter } from 'nodemailer';
import type { ArtifactStore, Config, DeliverResult, Logger, RenderResult } from '@infra-report/shared';
import { composeMessage } from './compose-message.js';

/** Remembers delivered runs so a retried or re-triggered deliver job never sends twice. */
export interface DeliveryLedger {
  deliveredAt(runId: string): Promise<string | null>;
  markDelivered(runId: string, at: string): Promise<void>;
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
}

/** The deliver job: one email with the PDF and XLSX attached (or linked when too large). */
export async function deliverRun(result: RenderResult, deps: DeliverDependencies): Promise<DeliverResult> {
  const { run } = result;
  const earlier = await deps.ledger?.deliveredAt(run.runId);
  if (earlier) {
    deps.logger.info({ run: run.runId, deliveredAt: earlier }, 'run already delivered: not sending again');
    return { runId: run.runId, deliveredAt: earlier, messageId: null, destination: 'already delivered' };
  }

  const files = await Promise.all(
    result.artifacts.map(async (artifact) => {
      const content = await deps.artifacts.get(artifact.key);
      if (!content)
        throw new Error(
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
  const info = await destination.transport.sendMail({
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
  deps.logger.info({ run: run.runId, destination: where, messageId: info.messageId }, 'report delivered');
  return { runId: run.runId, deliveredAt, messageId: info.messageId ?? null, destination: where };
}
