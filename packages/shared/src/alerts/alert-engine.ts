import type { AlertRuleName, AlertSource } from '../config/schema.js';

export type { AlertEvent } from './alert-event.js';
import type { AlertCondition, AlertEvent } from './alert-event.js';
import type { AlertPolicy } from './alert-policy.js';
import type { AlertStateStore, FiringAlert } from './alert-state.js';

export interface AlertEvaluation {
  host: string;
  groups: string[];
  conditions: AlertCondition[];
  /** The rules this evaluation covers: a firing alert of these rules whose subject is gone recovers. */
  rules: AlertRuleName[];
  now: Date;
  source: AlertSource;
  /** How often this source looks at the host (sampling interval; 0 for collections). */
  intervalMs: number;
}

const keyOf = (c: { rule: string; subject: string }) => `${c.rule}:${c.subject}`;

/**
 * Moves each condition through held, firing and recovered. An alert fires once its condition has
 * been seen crossed, without a gap, for the rule's hold time (at once without one), and not within
 * the refire time of its last recovery; it is not repeated while it stays crossed, except once
 * when a warning becomes critical; it recovers once when the value is below the threshold by the
 * hysteresis, or when its subject is gone. Every event is recorded for the report.
 */
export async function evaluateAlerts(
  evaluation: AlertEvaluation,
  state: AlertStateStore,
  policy: Pick<AlertPolicy, 'rules' | 'refireAfterMs'>,
): Promise<AlertEvent[]> {
  const { host, groups, now, source } = evaluation;
  const events: AlertEvent[] = [];
  const firing = new Map((await state.firing(host)).map((a) => [a.key, a]));
  // Read once: a condition that is not crossed and not held touches no state (most of them, most rounds).
  const held = new Set(await state.heldKeys(host));
  const recovered = async (key: string, alert: FiringAlert | undefined) => {
    const cleared = alert ? await state.recover(host, key, now) : null;
    if (cleared) events.push(eventOf('recovery', host, groups, cleared, now.toISOString(), source));
  };
  const seen = new Set<string>();
  for (const condition of evaluation.conditions) {
    const key = keyOf(condition);
    seen.add(key);
    const current = firing.get(key);
    if (!current) {
      // Not firing: anything short of crossed ends the hold (the hysteresis band is for recoveries).
      if (condition.crossed !== true) {
        if (held.has(key)) await state.clearHold(host, key);
        continue;
      }
      const holdMs = policy.rules[condition.rule].afterSeconds * 1000;
      // A sighting further from the last than the hold (or than three rounds) starts it again:
      // yesterday's collection and today's are not five minutes of CPU at 100 %.
      const since = await state.holdSince(host, key, now, Math.max(holdMs, evaluation.intervalMs * 3));
      if (now.getTime() - since.getTime() < holdMs) continue;
      const lastRecovery = await state.recoveredAt(host, key);
      if (lastRecovery && now.getTime() - lastRecovery.getTime() < policy.refireAfterMs) continue;
      const alert = firingOf(key, condition, groups, now);
      if (await state.fire(host, alert)) {
        await state.clearHold(host, key);
        events.push(eventOf('alert', host, groups, alert, alert.firedAt, source));
      }
      continue;
    }
    if (condition.crossed === false) {
      await recovered(key, current);
      continue;
    }
    if (condition.crossed === true && condition.severity === 'critical' && current.severity === 'warning') {
      const raised = { ...firingOf(key, condition, groups, now), firedAt: current.firedAt };
      if (await state.escalate(host, raised))
        events.push({ ...eventOf('alert', host, groups, raised, now.toISOString(), source), escalated: true });
    }
  }
  for (const [key, alert] of firing)
    if (!seen.has(key) && evaluation.rules.includes(alert.rule as AlertRuleName)) await recovered(key, alert);
  if (events.length > 0) await state.record(events);
  return events;
}

function firingOf(key: string, condition: AlertCondition, groups: string[], now: Date): FiringAlert {
  return {
    key,
    rule: condition.rule,
    subject: condition.subject,
    severity: condition.severity,
    message: condition.message,
    firedAt: now.toISOString(),
    groups,
    value: condition.value,
    threshold: condition.threshold,
  };
}

function eventOf(
  kind: AlertEvent['kind'],
  host: string,
  groups: string[],
  alert: FiringAlert,
  at: string,
  source: AlertSource,
): AlertEvent {
  // An escalation is its own event: the alert at critical, once.
  const suffix = kind === 'recovery' ? 'recovery' : alert.severity === 'critical' ? 'alert|critical' : 'alert';
  return {
    id: `${host}|${alert.key}|${alert.firedAt}|${suffix}`,
    kind,
    host,
    groups,
    rule: alert.rule,
    subject: alert.subject,
    severity: alert.severity,
    message: alert.message,
    at,
    firedAt: alert.firedAt,
    ...(alert.value === undefined ? {} : { value: alert.value }),
    ...(alert.threshold === undefined ? {} : { threshold: alert.threshold }),
    source,
  };
}
