import { printable, rollUpAlerts, type AlertEvent, type AlertRollup } from '@infra-report/shared';

/** Lines listing every alert of a notification stop here (the roll-up above has them all). */
const maxDetailLines = 200;

function minutesBetween(from: string, to: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 6) / 10} h`;
}

const tag = (r: Pick<AlertRollup, 'state' | 'severity'>) =>
  r.state === 'recovered' ? 'RECOVERED' : r.severity === 'critical' ? 'CRITICAL' : 'WARNING';

const heading: Record<AlertRollup['state'], string> = {
  escalated: 'Now critical',
  firing: 'Firing',
  recovered: 'Recovered',
};

/**
 * Alerts and recoveries of one round (or one group interval) as one message: a subject that
 * says the worst and how broad, the roll-ups across hosts, then every alert with its host.
 */
export function composeAlertNotification(events: AlertEvent[]): { subject: string; text: string } {
  const rollups = rollUpAlerts(events);
  const first = rollups[0];
  if (!first) return { subject: '[infra-report] no alerts', text: '' };
  const firing = events.filter((e) => e.kind === 'alert');
  const recovered = events.length - firing.length;
  const hostsOf = (list: AlertEvent[]) => new Set(list.map((e) => e.host)).size;
  const worst = firing.some((e) => e.severity === 'critical')
    ? 'CRITICAL'
    : firing.length > 0
      ? 'WARNING'
      : 'RECOVERED';
  let subject: string;
  if (events.length === 1) subject = `[${tag(first)}] ${first.title}`;
  else {
    const counts = [
      firing.length > 0
        ? `${firing.length} alert${firing.length === 1 ? '' : 's'} on ${hostsOf(firing)} host${hostsOf(firing) === 1 ? '' : 's'}`
        : '',
      recovered > 0 ? `${recovered} recovered` : '',
    ].filter(Boolean);
    subject = `[${worst}] ${counts.join(', ')}: ${first.title}${rollups.length > 1 ? ` (+${rollups.length - 1} more)` : ''}`;
  }
  const lines: string[] = [];
  for (const state of ['escalated', 'firing', 'recovered'] as const) {
    const part = rollups.filter((r) => r.state === state);
    if (part.length === 0) continue;
    lines.push(`${heading[state]}:`);
    for (const r of part) lines.push(`  ${tag(r).padEnd(9)} ${r.title}${r.examples ? ` (${r.examples})` : ''}`);
    lines.push('');
  }
  lines.push('Every alert:');
  const detail = [...events].sort((a, b) => a.host.localeCompare(b.host) || a.rule.localeCompare(b.rule));
  for (const e of detail.slice(0, maxDetailLines)) {
    const host = printable(e.host, 100);
    const message = printable(e.message, 300);
    lines.push(
      e.kind === 'recovery'
        ? `  ${host}: ${message} cleared at ${e.at}, after ${minutesBetween(e.firedAt, e.at)}`
        : `  ${host}: ${message} (${e.severity}${e.escalated ? ', was warning' : ''}, since ${e.firedAt})`,
    );
  }
  if (detail.length > maxDetailLines) lines.push(`  … and ${detail.length - maxDetailLines} more`);
  return { subject: printable(subject, 300), text: `${lines.join('\n')}\n` };
}
