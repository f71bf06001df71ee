import { printable, type AlertEvent, type Config, type Logger } from '@infra-report/shared';
import type { DeliveryLedger, MailDestination } from '../deliver-run.js';
import { postWebhook, webhooksFor } from './webhooks.js';

export interface AlertDeliveryDependencies {
  config: Config;
  destination: MailDestination | undefined;
  /** Remembers which channels took the event, so a retry sends only to the others. */
  ledger: DeliveryLedger | undefined;
  logger: Logger;
  now(): Date;
}

/** Who gets mail about a host: smtp.to, and the recipients of each of its groups. */
export function recipientsFor(config: Config, groups: string[], defaults: string[]): string[] {
  const addresses = new Set(defaults);
  for (const group of groups) for (const address of config.groups[group]?.recipients ?? []) addresses.add(address);
  return [...addresses];
}

function minutesBetween(from: string, to: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 6) / 10} h`;
}

/** The subject and text of an alert or a recovery, hostile host data shown as in the report. */
export function alertText(event: AlertEvent): { subject: string; text: string } {
  const host = printable(event.host, 100);
  const message = printable(event.message, 300);
  if (event.kind === 'alert') {
    return {
      subject: `[${event.severity === 'critical' ? 'CRITICAL' : 'WARNING'}] ${host}: ${message}`,
      text: `${host}: ${message}\nsince ${event.firedAt}${event.groups.length ? `\ngroups: ${event.groups.join(', ')}` : ''}\n`,
    };
  }
  return {
    subject: `[RECOVERED] ${host}: ${message}`,
    text: `${host}: ${message} has cleared at ${event.at}, after ${minutesBetween(event.firedAt, event.at)}.\n`,
  };
}

/**
 * One alert or recovery to every channel that wants it: a short email and the webhooks of the
 * host's groups. A channel that fails makes the whole delivery fail (and retry); channels that
 * took it already are skipped on the retry.
 */
export async function deliverAlert(event: AlertEvent, deps: AlertDeliveryDependencies): Promise<string[]> {
  const { config, destination, ledger } = deps;
  const sent: string[] = [];
  const once = async (channel: string, send: () => Promise<void>) => {
    const id = `${event.id}#${channel}`;
    if (await ledger?.deliveredAt(id)) return;
    await send();
    await ledger?.markDelivered(id, deps.now().toISOString());
    sent.push(channel);
  };
  const { subject, text } = alertText(event);
  if (config.notify.alertEmail && destination?.kind === 'smtp') {
    const to = recipientsFor(config, event.groups, destination.to);
    await once('email', async () => {
      await destination.transport.sendMail({
        // The same Message-ID on a retry: a duplicate is recognised as one.
        messageId: `<alert.${event.id.replace(/[^A-Za-z0-9._-]/g, '.')}@infra-report>`,
        from: destination.from,
        to,
        subject,
        text,
      });
    });
  }
  for (const { hook, index } of webhooksFor(config.notify.webhooks, 'alerts', event.groups)) {
    await once(`webhook-${index}`, () =>
      postWebhook(
        hook,
        `${event.kind === 'alert' ? ':rotating_light:' : ':white_check_mark:'} **${subject}**\n${text}`,
      ),
    );
  }
  deps.logger.info({ alert: event.id, channels: sent }, `${event.kind} delivered`);
  return sent;
}
