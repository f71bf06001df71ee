import {
  silencedBy,
  type AlertEvent,
  type AlertStateStore,
  type Config,
  type FiringAlert,
  type Logger,
  type Silence,
} from '@infra-report/shared';
import type { DeliveryLedger, MailDestination } from '../deliver-run.js';
import { composeAlertNotification } from './alert-notification.js';
import type { AlertOutbox } from './alert-outbox.js';
import { postToAlertmanager, toPostableAlert } from './alertmanager.js';
import { alertDestinations, destinationId, parseDestinationId, teamRecipients } from './destinations.js';
import { postWebhook } from './webhooks.js';

export interface AlertDispatchDependencies {
  config: Config;
  destination: MailDestination | undefined;
  /** Remembers which notifications went out, so a retry does not send one twice. */
  ledger: DeliveryLedger | undefined;
  state: AlertStateStore;
  outbox: AlertOutbox;
  logger: Logger;
  now(): Date;
}

/** How long a firing alert posted to Alertmanager stays firing there without being posted again. */
export const alertmanagerValidForMs = (config: Config) => (config.notify.alertmanager?.resendSeconds ?? 60) * 4000;

async function activeSilences(deps: AlertDispatchDependencies): Promise<Silence[]> {
  return deps.state.silences().catch((error: Error) => {
    // Better an alert too many than a page lost because the silences could not be read.
    deps.logger.warn({ err: error }, 'cannot read silences: notifying');
    return [];
  });
}

/**
 * Takes one alert, escalation or recovery: a silenced one is kept quiet (it stays in the alert
 * state and the report); Alertmanager gets it at once (it groups on its own); our own channels
 * get it through the outbox, grouped. Returns the destinations' due times (the caller schedules
 * their flushes).
 */
export async function acceptAlert(
  event: AlertEvent,
  deps: AlertDispatchDependencies,
): Promise<{ destination: string; at: number }[]> {
  const now = deps.now();
  const silence = silencedBy(await activeSilences(deps), event, now);
  if (silence) {
    deps.logger.info({ alert: event.id, silence: silence.id }, `${event.kind} silenced`);
    return [];
  }
  const { alertmanager } = deps.config.notify;
  if (alertmanager)
    await postToAlertmanager(alertmanager, [
      toPostableAlert(event, now, alertmanagerValidForMs(deps.config), deps.config.api.public_url),
    ]);
  const timing = { waitMs: deps.config.alerts.groupWaitMs, intervalMs: deps.config.alerts.groupIntervalMs };
  const due: { destination: string; at: number }[] = [];
  for (const destination of alertDestinations(deps.config, event, deps.destination?.kind === 'smtp')) {
    const id = destinationId(destination);
    due.push({ destination: id, at: await deps.outbox.add(id, event, now.getTime(), timing) });
  }
  return due;
}

/** An alert that fired and recovered before anyone was told is not worth telling (the report has it). */
function withoutUntold(events: AlertEvent[]): AlertEvent[] {
  const base = (e: AlertEvent) => `${e.host}|${e.rule}:${e.subject}|${e.firedAt}`;
  const recovered = new Set(events.filter((e) => e.kind === 'recovery').map(base));
  const fired = new Set(events.filter((e) => e.kind === 'alert').map(base));
  return events.filter((e) => !(recovered.has(base(e)) && fired.has(base(e))));
}

/**
 * Sends what waits for one destination as one notification (batch `destination@due`: a retry
 * sends the same one, and not twice). Returns the channel it went to, or null when there was
 * nothing to send.
 */
export async function flushAlerts(
  destination: string,
  due: number,
  deps: AlertDispatchDependencies,
): Promise<string | null> {
  const batchId = `${destination}@${due}`;
  const taken = await deps.outbox.take(destination, batchId, deps.now().getTime());
  const events = withoutUntold(taken).sort((a, b) => a.at.localeCompare(b.at));
  const target = parseDestinationId(destination);
  let channel: string | null = null;
  if (events.length > 0 && target) {
    const ledgerId = `alerts:${batchId}`;
    if (!(await deps.ledger?.deliveredAt(ledgerId))) {
      channel = await send(target, events, batchId, deps);
      await deps.ledger?.markDelivered(ledgerId, deps.now().toISOString());
    }
  }
  await deps.outbox.done(batchId);
  if (channel) deps.logger.info({ destination, alerts: events.length }, 'alert notification sent');
  return channel;
}

async function send(
  target: NonNullable<ReturnType<typeof parseDestinationId>>,
  events: AlertEvent[],
  batchId: string,
  deps: AlertDispatchDependencies,
): Promise<string | null> {
  const { subject, text } = composeAlertNotification(events);
  if (target.kind === 'webhook') {
    const hook = deps.config.notify.webhooks[target.index];
    if (!hook) return null; // the configuration changed since: nowhere to send
    const icon = events.some((e) => e.kind === 'alert') ? ':rotating_light:' : ':white_check_mark:';
    await postWebhook(hook, `${icon} **${subject}**\n${text}`);
    return 'alert_webhook';
  }
  const mail = deps.destination;
  if (mail?.kind !== 'smtp') return null;
  const to = target.kind === 'email' ? mail.to : teamRecipients(deps.config, target.group, mail.to);
  if (to.length === 0) return null;
  await mail.transport.sendMail({
    // The same Message-ID on a retry: a duplicate is recognised as one.
    messageId: `<alerts.${batchId.replace(/[^A-Za-z0-9._-]/g, '.')}@infra-report>`,
    from: mail.from,
    to,
    subject,
    text,
  });
  return target.kind === 'email' ? 'alert_email' : 'alert_group_email';
}

/** A firing alert of the state as an alert event of now (`purpose` makes its id its own). */
function firingEvent(host: string, alert: FiringAlert, now: Date, purpose: string): AlertEvent {
  return {
    id: `${host}|${alert.key}|${alert.firedAt}|${purpose}`,
    kind: 'alert',
    host,
    groups: alert.groups ?? [],
    rule: alert.rule,
    subject: alert.subject,
    severity: alert.severity,
    message: alert.message,
    at: now.toISOString(),
    firedAt: alert.firedAt,
    ...(alert.value === undefined ? {} : { value: alert.value }),
    ...(alert.threshold === undefined ? {} : { threshold: alert.threshold }),
  };
}

/** A silence that ended longer ago than this is not looked back on (it ended before we looked). */
const silenceEndLookBackMs = 3600_000;

/**
 * Alerts a silence held back and that are still firing when it ends are told then, once (as
 * Alertmanager does): events for the caller to accept like any other.
 */
export async function alertsAfterSilences(deps: AlertDispatchDependencies): Promise<AlertEvent[]> {
  const now = deps.now();
  const silences = await deps.state.silences();
  const ended = silences.filter(
    (s) => Date.parse(s.endsAt) <= now.getTime() && Date.parse(s.endsAt) > now.getTime() - silenceEndLookBackMs,
  );
  if (ended.length === 0) return [];
  const firing = await deps.state.allFiring();
  const events: AlertEvent[] = [];
  for (const silence of ended) {
    if (!(await deps.state.claimSilenceEnd(silence.id))) continue;
    const lastMoment = new Date(Date.parse(silence.endsAt) - 1);
    for (const { host, alert } of firing) {
      const event = firingEvent(host, alert, now, `after-silence|${silence.id}`);
      const heldBack = alert.firedAt <= silence.endsAt && silencedBy([silence], event, lastMoment);
      if (heldBack && !events.some((e) => e.id.startsWith(`${host}|${alert.key}|${alert.firedAt}|`)))
        events.push(event);
    }
  }
  return events;
}

/**
 * Posts every firing alert to Alertmanager again (not silenced ones), so that it keeps them
 * firing past its resolve_timeout; each stays valid for `validForMs` more.
 */
export async function refreshAlertmanager(deps: AlertDispatchDependencies, validForMs: number): Promise<number> {
  const { alertmanager } = deps.config.notify;
  if (!alertmanager) return 0;
  const now = deps.now();
  const silences = await activeSilences(deps);
  const alerts = (await deps.state.allFiring())
    .map(({ host, alert }) => firingEvent(host, alert, now, 'refresh'))
    .filter((a) => !silencedBy(silences, a, now))
    .map((a) => toPostableAlert(a, now, validForMs, deps.config.api.public_url));
  await postToAlertmanager(alertmanager, alerts);
  return alerts.length;
}
