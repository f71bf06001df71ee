import type { DeliverFailureKind } from '@infra-report/shared';
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
