import type { AlertRuleName } from '../config/schema.js';
import type { AlertCondition } from './alert-conditions.js';
import type { AlertStateStore, FiringAlert } from './alert-state.js';

/** An alert or a recovery, to be delivered once (its id is the same for every worker). */
export interface AlertEvent {
  id: string;
  kind: 'alert' | 'recovery';
  host: string;
  groups: string[];
  rule: string;
  subject: string;
  severity: 'critical' | 'warning';
  message: string;
  at: string;
  /** When the alert fired (for a recovery: how long it lasted). */
  firedAt: string;
}

export interface AlertEvaluation {
  host: string;
  groups: string[];
  conditions: AlertCondition[];
  /** The rules this evaluation covers: a firing alert of these rules whose subject is gone recovers. */
  rules: AlertRuleName[];
  now: Date;
}

const keyOf = (c: { rule: string; subject: string }) => `${c.rule}:${c.subject}`;

/**
 * Moves each condition through pending, firing and recovered. An alert fires once when its
 * condition has been crossed for the rule's duration (at once without one); it is not repeated
 * while it stays crossed; it recovers once when the value is below the threshold by the
 * hysteresis, or when its subject is gone.
 */
export async function evaluateAlerts(
  evaluation: AlertEvaluation,
  state: AlertStateStore,
  afterSeconds: Partial<Record<AlertRuleName, number>>,
): Promise<AlertEvent[]> {
  const { host, groups, now } = evaluation;
  const events: AlertEvent[] = [];
  const firing = new Map((await state.firing(host)).map((a) => [a.key, a]));
  const recovered = async (key: string, alert: FiringAlert | undefined) => {
    const cleared = alert ? await state.recover(host, key) : null;
    if (cleared) events.push(recovery(host, groups, cleared, now));
  };
  const seen = new Set<string>();
  for (const condition of evaluation.conditions) {
    const key = keyOf(condition);
    seen.add(key);
    if (condition.crossed === null) continue;
    if (!condition.crossed) {
      await state.clearPending(host, key);
      await recovered(key, firing.get(key));
      continue;
    }
    if (firing.has(key)) continue;
    const since = await state.pendingSince(host, key, now);
    const wait = (afterSeconds[condition.rule] ?? 0) * 1000;
    if (now.getTime() - since.getTime() < wait) continue;
    const alert: FiringAlert = {
      key,
      rule: condition.rule,
      subject: condition.subject,
      severity: condition.severity,
      message: condition.message,
      firedAt: now.toISOString(),
    };
    if (await state.fire(host, alert)) {
      await state.clearPending(host, key);
      events.push({
        id: `${host}|${key}|${alert.firedAt}|alert`,
        kind: 'alert',
        host,
        groups,
        ...pick(alert),
        at: alert.firedAt,
      });
    }
  }
  for (const [key, alert] of firing)
    if (!seen.has(key) && evaluation.rules.includes(alert.rule as AlertRuleName)) await recovered(key, alert);
  return events;
}

const pick = (a: FiringAlert) => ({
  rule: a.rule,
  subject: a.subject,
  severity: a.severity,
  message: a.message,
  firedAt: a.firedAt,
});

function recovery(host: string, groups: string[], alert: FiringAlert, now: Date): AlertEvent {
  return {
    id: `${host}|${alert.key}|${alert.firedAt}|recovery`,
    kind: 'recovery',
    host,
    groups,
    ...pick(alert),
    at: now.toISOString(),
  };
}
