import { describeLoginSource } from '../login-source.js';
import { printable } from '../printable.js';
import type { AlertEvent } from './alert-event.js';

/** Alerts of one notification that share a rule (and subject where it spans hosts), with their hosts. */
export interface AlertRollup {
  state: 'firing' | 'escalated' | 'recovered';
  severity: 'critical' | 'warning';
  rule: string;
  subject: string;
  /** "183.62.140.253: 286 failed logins on 20 hosts", "load over 2 per CPU: 20 hosts". */
  title: string;
  hosts: string[];
  /** The largest few: "web2 4.45, web7 4.1, and 18 more". */
  examples: string;
  events: AlertEvent[];
}

/** Rules whose subject is the same thing on every host (a mount point, a source address, a backup). */
const subjectAcrossHosts = new Set(['disk', 'inodes', 'failed_logins', 'stale_backup']);

const count = new Intl.NumberFormat('en-US');
const plural = (n: number, word: string) => `${count.format(n)} ${word}${n === 1 ? '' : 's'}`;
const figure = (n: number | undefined) => (n === undefined ? '' : String(Math.round(n * 100) / 100));

function titleOf(rule: string, subject: string, events: AlertEvent[], hostCount: number): string {
  if (events.length === 1 && events[0]) return `${events[0].host}: ${events[0].message}`;
  const hosts = plural(hostCount, 'host');
  const threshold = figure(Math.min(...events.map((e) => e.threshold ?? Infinity)));
  switch (rule) {
    case 'failed_logins': {
      const total = events.reduce((n, e) => n + (e.value ?? 0), 0);
      return `${describeLoginSource(subject)}: ${count.format(total)} failed logins on ${hosts}`;
    }
    case 'disk':
      return `disk ${subject} over ${threshold} %: ${hosts}`;
    case 'inodes':
      return `inodes ${subject} over ${threshold} %: ${hosts}`;
    case 'load':
      return `load over ${threshold} per CPU: ${hosts}`;
    case 'cpu':
      return `CPU over ${threshold} %: ${hosts}`;
    case 'memory':
      return `memory over ${threshold} %: ${hosts}`;
    case 'temperature':
      return `temperature over ${threshold} °C: ${hosts}`;
    case 'stale_backup':
      return `backup ${subject} stale: ${hosts}`;
    case 'unreachable':
      return `unreachable: ${hosts}`;
    default:
      return `${rule}${subject ? ` ${subject}` : ''}: ${hosts}`;
  }
}

function exampleOf(event: AlertEvent): string {
  switch (event.rule) {
    case 'disk':
    case 'inodes':
    case 'cpu':
    case 'memory':
      return `${event.host} ${figure(event.value)} %`;
    case 'temperature':
      return `${event.host} ${event.subject} ${figure(event.value)} °C`;
    case 'load':
    case 'failed_logins':
      return `${event.host} ${figure(event.value)}`;
    default:
      return event.host;
  }
}

const stateOf = (e: AlertEvent): AlertRollup['state'] =>
  e.kind === 'recovery' ? 'recovered' : e.escalated ? 'escalated' : 'firing';
const stateRank = { escalated: 0, firing: 1, recovered: 2 };
const severityRank = { critical: 0, warning: 1 };

/**
 * Alerts rolled up across hosts as the report rolls up its findings: by what happened to them,
 * severity, rule and (where it spans hosts) subject; ranked by state, severity, then breadth.
 * Host names and messages are made printable (they come from hosts).
 */
export function rollUpAlerts(events: AlertEvent[], examples = 3): AlertRollup[] {
  const groups = new Map<string, AlertEvent[]>();
  for (const event of events) {
    const subject = subjectAcrossHosts.has(event.rule) ? event.subject : '';
    const key = [stateOf(event), event.severity, event.rule, subject].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), safe(event)]);
  }
  return [...groups.values()]
    .map((items) => {
      const first = items[0]!;
      const subject = subjectAcrossHosts.has(first.rule) ? first.subject : '';
      const hosts = [...new Set(items.map((e) => e.host))];
      const shown = [...items].sort((a, b) => (b.value ?? 0) - (a.value ?? 0)).slice(0, examples);
      const rest = items.length - shown.length;
      return {
        state: stateOf(first),
        severity: first.severity,
        rule: first.rule,
        subject,
        title: titleOf(first.rule, subject, items, hosts.length),
        hosts,
        examples:
          items.length === 1
            ? ''
            : shown.map(exampleOf).join(', ') + (rest > 0 ? `, and ${count.format(rest)} more` : ''),
        events: items,
      };
    })
    .sort(
      (a, b) =>
        stateRank[a.state] - stateRank[b.state] ||
        severityRank[a.severity] - severityRank[b.severity] ||
        b.hosts.length - a.hosts.length ||
        a.title.localeCompare(b.title),
    );
}

function safe(event: AlertEvent): AlertEvent {
  return {
    ...event,
    host: printable(event.host, 100),
    subject: printable(event.subject, 200),
    message: printable(event.message, 300),
  };
}
