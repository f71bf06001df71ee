import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Transporter } from 'nodemailer';
import {
  printable,
  verdict,
  withFailureKind,
  type ArtifactStore,
  type Config,
  type DeliverFailureKind,
  type DeliverResult,
  type Logger,
  type RenderResult,
} from '@infra-report/shared';
import { archiveReport } from './archive.js';
import { composeMessage } from './compose-message.js';
import { ArtifactMissingError, deliveryFailureKind } from './failure-kinds.js';
import { postWebhook, webhooksFor } from './notify/webhooks.js';

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

export interface DeliveryChannels {
  groups: Config['groups'];
  webhooks: Config['notify']['webhooks'];
  archive: Config['archive'];
  publicUrl: string | undefined;
}

/** The channels the configuration asks for (the mailer service and the one-process run alike). */
export function deliveryChannels(config: Config): DeliveryChannels {
  return {
    groups: config.groups,
    webhooks: config.notify.webhooks,
    archive: config.archive,
    publicUrl: config.api.public_url,
  };
}

type ChannelMetric = 'group_email' | 'webhook' | 'archive';

/** What the mailer counts (Prometheus in the service; nothing in the one-process run). */
export interface DeliveryMetrics {
  delivered(): void;
  /** The SMTP server (or the outbox) did not take the message; the job retries. */
  sendFailed(): void;
  alreadyDelivered(): void;
  /** A channel after the main email: a group's email, a daily webhook, the archive. */
  channel?(channel: ChannelMetric, outcome: 'sent' | 'failed'): void;
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
  /** Per-group mails, daily webhooks and the SFTP archive; absent: the main email only. */
  channels?: DeliveryChannels | undefined;
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

/** The run's main email, with the PDF and XLSX attached (or linked when too large). */
async function deliverMainEmail(result: RenderResult, deps: DeliverDependencies): Promise<DeliverResult> {
  const { run } = result;
  const earlier = await deps.ledger?.deliveredAt(run.runId);
  if (earlier) {
    deps.logger.info({ run: run.runId, deliveredAt: earlier }, 'run already delivered: not sending again');
    deps.metrics?.alreadyDelivered();
    return { runId: run.runId, deliveredAt: earlier, messageId: null, destination: 'already delivered' };
  }

  const files = await loadFiles(result.artifacts, deps.artifacts);
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

/**
 * The deliver job: the main email, then each group team's email with their hosts' report, the
 * daily message to each webhook, and the SFTP archive. Each channel is recorded once done, so a
 * retry (after one of them failed) sends only what has not gone out.
 */
export async function deliverRun(result: RenderResult, deps: DeliverDependencies): Promise<DeliverResult> {
  const main = await deliverMainEmail(result, deps);
  const { channels } = deps;
  if (!channels) return main;
  const { run } = result;
  const done: Record<string, string> = {};
  const failed: { channel: string; error: Error; kind: DeliverFailureKind }[] = [];
  const once = async (
    channel: string,
    metric: ChannelMetric,
    kind: DeliverFailureKind,
    send: () => Promise<string>,
  ) => {
    const id = `${run.runId}#${channel}`;
    const earlier = await deps.ledger?.deliveredAt(id);
    if (earlier) {
      done[channel] = `already done at ${earlier}`;
      return;
    }
    try {
      done[channel] = await send();
      await deps.ledger?.markDelivered(id, deps.now().toISOString());
      deps.metrics?.channel?.(metric, 'sent');
    } catch (error) {
      deps.metrics?.channel?.(metric, 'failed');
      failed.push({ channel, error: error as Error, kind: deliveryFailureKind(error as Error) ?? kind });
      deps.logger.warn({ run: run.runId, channel, err: error }, 'delivery channel failed: the job will retry it');
    }
  };
  const { destination } = deps;
  for (const report of result.groupReports ?? []) {
    const to = channels.groups[report.group]?.recipients ?? [];
    if (to.length === 0 || destination.kind !== 'smtp') continue;
    await once(`group:${report.group}`, 'group_email', 'smtp_connection', async () => {
      const files = await loadFiles(report.artifacts, deps.artifacts);
      const message = composeMessage(
        { run, artifacts: report.artifacts, summary: report.summary },
        `${deps.report.title} (${report.group})`,
        [],
      );
      await sendMail(destination, deps.metrics, {
        messageId: runMessageId(`${run.runId}.group-${report.group}`, destination.from),
        from: destination.from,
        to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        attachments: files.map((f) => ({
          filename: f.artifact.fileName,
          content: f.content,
          contentType: f.artifact.contentType,
        })),
      });
      deps.metrics?.delivered();
      return `sent to ${to.join(', ')}`;
    });
  }
  for (const { hook, index } of webhooksFor(channels.webhooks, 'daily', null)) {
    await once(`webhook:${index}`, 'webhook', 'webhook', async () => {
      const reports = hook.groups
        ? (result.groupReports ?? []).filter((r) => hook.groups?.includes(r.group))
        : [{ group: null, artifacts: result.artifacts, summary: result.summary }];
      for (const report of reports)
        await postWebhook(hook, dailyWebhookText(run, report, deps.report.title, channels.publicUrl));
      return `posted to the ${hook.kind} webhook`;
    });
  }
  if (channels.archive) {
    const settings = channels.archive;
    await once('archive', 'archive', 'archive', async () => {
      const reportFiles = result.artifacts.filter((a) => /\.(pdf|xlsx)$/.test(a.fileName));
      const files = await loadFiles(reportFiles, deps.artifacts);
      const outcome = await archiveReport(
        settings,
        files.map((f) => ({ fileName: f.artifact.fileName, content: f.content })),
        run.reportDate,
        deps.now(),
      );
      deps.logger.info({ run: run.runId, ...outcome }, 'report archived');
      return `${outcome.uploaded.length} file(s) uploaded and verified on ${settings.host}${outcome.purged.length ? `, ${outcome.purged.length} old file(s) purged` : ''}`;
    });
  }
  if (failed.length > 0) {
    const error = new Error(
      `${failed.map((f) => `${f.channel}: ${f.error.message}`).join('; ')} (the main email went out: ${main.destination})`,
    );
    throw withFailureKind(error, failed[0]!.kind);
  }
  return { ...main, channels: done };
}

async function loadFiles(artifacts: RenderResult['artifacts'], store: ArtifactStore) {
  return Promise.all(
    artifacts.map(async (artifact) => {
      const content = await store.get(artifact.key);
      if (!content)
        throw new ArtifactMissingError(
          `report file ${artifact.fileName} is no longer in the artifact store (${store.describe(artifact.key)})`,
        );
      return { artifact, content };
    }),
  );
}

/** The day's result in a chat message: verdict, hosts, the top findings, links to the files. */
export function dailyWebhookText(
  run: RenderResult['run'],
  report: { group: string | null; artifacts: RenderResult['artifacts']; summary: RenderResult['summary'] },
  title: string,
  publicUrl: string | undefined,
): string {
  const { summary } = report;
  const heading = `**${title}${report.group ? ` (${report.group})` : ''} - ${run.reportDate} - ${verdict(summary)}**`;
  const hosts = `${summary.hostsReporting} of ${summary.hostsTotal} hosts reported${summary.hostsUnreachable ? `, ${summary.hostsUnreachable} unreachable` : ''}`;
  const findings = (summary.rollups ?? [])
    .slice(0, 5)
    .map(
      (r) => `- ${r.severity.toUpperCase()} ${printable(r.title, 200)} (${r.hosts} host${r.hosts === 1 ? '' : 's'})`,
    );
  const base = publicUrl?.replace(/\/+$/, '');
  const links = base
    ? report.artifacts
        .filter((a) => /\.(pdf|xlsx)$/.test(a.fileName))
        .map(
          (a) =>
            `[${a.fileName}](${base}/v1/runs/${encodeURIComponent(run.runId)}/files/${encodeURIComponent(a.fileName)})`,
        )
    : [];
  return [heading, hosts, ...findings, ...(links.length ? [links.join(' · ')] : [])].join('\n');
}
