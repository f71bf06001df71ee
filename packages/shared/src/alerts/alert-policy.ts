import type { AlertRuleName, AlertRuleSettings, AlertSource, RawConfig } from '../config/schema.js';
import { alertRuleNames } from '../config/schema.js';
import type { AlertCondition } from './alert-event.js';

/** One rule as resolved: where it pages, how long it must hold, what a collection pages. */
export interface AlertRulePolicy {
  on: AlertSource[];
  afterSeconds: number;
  collectionSeverity: 'warning' | 'critical';
}

export interface AlertPolicy {
  rules: Record<AlertRuleName, AlertRulePolicy>;
  groupWaitMs: number;
  groupIntervalMs: number;
  refireAfterMs: number;
}

/**
 * What pages by default. Sampling watches resources as they change; a condition of CPU, load,
 * memory or temperature must hold for minutes first (a busy minute is not an incident). A daily
 * collection runs minutes before the report that lists everything it found, so it pages only what
 * should not wait for someone to open that report: a file system past the critical threshold.
 * Brute-force sources and stale backups are in the report (turn them on for collections to page).
 */
export const defaultAlertRules: Record<AlertRuleName, AlertRulePolicy> = {
  disk: { on: ['sampling', 'collection'], afterSeconds: 0, collectionSeverity: 'critical' },
  inodes: { on: ['sampling'], afterSeconds: 0, collectionSeverity: 'critical' },
  load: { on: ['sampling'], afterSeconds: 300, collectionSeverity: 'critical' },
  cpu: { on: ['sampling'], afterSeconds: 300, collectionSeverity: 'critical' },
  memory: { on: ['sampling'], afterSeconds: 120, collectionSeverity: 'critical' },
  temperature: { on: ['sampling'], afterSeconds: 120, collectionSeverity: 'critical' },
  failed_logins: { on: [], afterSeconds: 0, collectionSeverity: 'warning' },
  stale_backup: { on: [], afterSeconds: 0, collectionSeverity: 'warning' },
  unreachable: { on: ['sampling'], afterSeconds: 0, collectionSeverity: 'critical' },
};

/** The configuration's alerts section over the defaults (report.thresholds.alert_after_seconds is the older spelling). */
export function resolveAlertPolicy(
  raw: RawConfig['alerts'],
  legacyAfterSeconds: Partial<Record<AlertRuleName, number>>,
): AlertPolicy {
  const rules = {} as Record<AlertRuleName, AlertRulePolicy>;
  for (const rule of alertRuleNames) {
    const settings: AlertRuleSettings = raw.rules[rule] ?? {};
    const base = defaultAlertRules[rule];
    rules[rule] = {
      on: settings.on ? [...new Set(settings.on)] : base.on,
      afterSeconds: settings.after_seconds ?? legacyAfterSeconds[rule] ?? base.afterSeconds,
      // A rule turned on for collections by hand pages at any severity unless told otherwise.
      collectionSeverity:
        settings.collection_severity ??
        (settings.on?.includes('collection') && !base.on.includes('collection') ? 'warning' : base.collectionSeverity),
    };
  }
  return {
    rules,
    groupWaitMs: raw.group_wait_seconds * 1000,
    groupIntervalMs: raw.group_interval_seconds * 1000,
    refireAfterMs: raw.refire_after_seconds * 1000,
  };
}

/** The rules a source evaluates under this policy. */
export function rulesOn(policy: AlertPolicy, source: AlertSource): AlertRuleName[] {
  return alertRuleNames.filter((rule) => policy.rules[rule].on.includes(source));
}

/**
 * The conditions a source may act on: rules it evaluates, and on collections a crossing below
 * the rule's collection severity changes nothing (it neither fires nor clears what sampling fired).
 */
export function conditionsFor(
  policy: AlertPolicy,
  source: AlertSource,
  conditions: AlertCondition[],
): AlertCondition[] {
  return conditions
    .filter((c) => policy.rules[c.rule].on.includes(source))
    .map((c) =>
      source === 'collection' &&
      c.crossed === true &&
      c.severity === 'warning' &&
      policy.rules[c.rule].collectionSeverity === 'critical'
        ? { ...c, crossed: null }
        : c,
    );
}
