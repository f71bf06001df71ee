import { UnrecoverableError } from 'bullmq';
import { withFailureKind, type DeliverFailureKind } from '@infra-report/shared';
import { ArchiveError } from './archive.js';
import { AlertmanagerError } from './notify/alertmanager.js';
import { WebhookError } from './notify/webhooks.js';

/** A report file expired from the artifact store before the email could carry it. */
export class ArtifactMissingError extends Error {
  override name = 'ArtifactMissingError';
}

/** Nodemailer's error codes, as the bounded kinds the metrics count. */
export function deliveryFailureKind(
  error: Error & { code?: string; responseCode?: number },
): DeliverFailureKind | null {
  if (error instanceof ArtifactMissingError) return 'artifact_missing';
  if (error instanceof ArchiveError) return 'archive';
  if (error instanceof WebhookError) return 'webhook';
  if (error instanceof AlertmanagerError) return 'alertmanager';
  switch (error.code) {
    case 'EAUTH':
    case 'ENOAUTH':
      return 'smtp_auth';
    case 'EENVELOPE':
    case 'EMESSAGE':
      return 'smtp_rejected';
    case 'ECONNECTION':
    case 'ETIMEDOUT':
    case 'ESOCKET':
    case 'EDNS':
    case 'ETLS':
    case 'EPROTOCOL':
    case 'ECONNRESET':
    case 'ECONNREFUSED':
      return 'smtp_connection';
    default:
      return error.responseCode !== undefined && error.responseCode >= 400 ? 'smtp_rejected' : null;
  }
}

/**
 * Whether trying again cannot help: the SMTP server refused our credentials or the recipients
 * for good (5xx, or no reply code at all), or the report files are gone. A 4xx (greylisting, a
 * busy server, a temporary authentication failure) and lost connections are worth a retry.
 */
function isPermanent(kind: DeliverFailureKind | null, error: Error & { responseCode?: number }): boolean {
  if (kind === 'artifact_missing') return true;
  if (kind !== 'smtp_auth' && kind !== 'smtp_rejected') return false;
  return error.responseCode === undefined || error.responseCode >= 500;
}

/** The error a mailer job throws: its failure kind attached, and without retries when they cannot help. */
export function deliveryJobError(error: unknown): Error {
  const cause = error as Error & { code?: string; responseCode?: number };
  const kind = deliveryFailureKind(cause);
  const thrown = isPermanent(kind, cause) ? new UnrecoverableError(cause.message) : cause;
  return kind ? withFailureKind(thrown, kind) : thrown;
}
