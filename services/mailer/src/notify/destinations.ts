import type { AlertEvent, Config } from '@infra-report/shared';
import { webhooksFor } from './webhooks.js';

/**
 * Who is notified of alerts, each a recipient set of its own with its own notification: the main
 * recipients (smtp.to, every alert), each group's team (its hosts' alerts), each webhook (the
 * alerts of the groups it wants).
 */
export type AlertDestination = { kind: 'email' } | { kind: 'team'; group: string } | { kind: 'webhook'; index: number };

export const destinationId = (d: AlertDestination): string =>
  d.kind === 'email' ? 'email' : d.kind === 'team' ? `team:${d.group}` : `webhook:${d.index}`;

export function parseDestinationId(id: string): AlertDestination | null {
  if (id === 'email') return { kind: 'email' };
  if (id.startsWith('team:')) return { kind: 'team', group: id.slice(5) };
  const webhook = /^webhook:(\d+)$/.exec(id);
  return webhook ? { kind: 'webhook', index: Number(webhook[1]) } : null;
}

/** The destinations an alert goes to under this configuration (none when Alertmanager notifies). */
export function alertDestinations(config: Config, event: AlertEvent, smtp: boolean): AlertDestination[] {
  if (!config.notify.ownAlertNotifications) return [];
  const destinations: AlertDestination[] = [];
  if (config.notify.alertEmail && smtp) {
    destinations.push({ kind: 'email' });
    for (const group of event.groups)
      if ((config.groups[group]?.recipients.length ?? 0) > 0) destinations.push({ kind: 'team', group });
  }
  for (const { index } of webhooksFor(config.notify.webhooks, 'alerts', event.groups))
    destinations.push({ kind: 'webhook', index });
  return destinations;
}

/** A team's addresses, less those of the main recipients (who get every alert already). */
export function teamRecipients(config: Config, group: string, main: string[]): string[] {
  const known = new Set(main.map((a) => a.toLowerCase()));
  return (config.groups[group]?.recipients ?? []).filter((a) => !known.has(a.toLowerCase()));
}
