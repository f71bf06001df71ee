import { describeLoginSource } from '@infra-report/shared';
import { formatCount } from '../format.js';
import { severityRank, type AttentionItem, type Rollup } from './types.js';

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

/** The title of a roll-up: what it is, how much and how broad. */
function titleOf(kind: string, subject: string, items: AttentionItem[], hostCount: number): string {
  // One item on one host: its own words say the most.
  if (items.length === 1 && items[0]) return items[0].message;
  const hosts = plural(hostCount, 'host');
  const total = items.reduce((n, i) => n + (i.amount ?? 0), 0);
  switch (kind) {
    case 'unreachable':
      return `unreachable: ${hosts}`;
    case 'disk-critical':
      return `filesystems over the critical threshold: ${hosts}`;
    case 'disk-warning':
      return `filesystems over the warning threshold: ${hosts}`;
    case 'disk-forecast':
      return `filesystems full within 14 days at their growth: ${hosts}`;
    case 'brute-force':
      return `${describeLoginSource(subject)}: ${formatCount(total)} failed SSH logins on ${hosts}`;
    case 'first-login':
      return `first login from ${subject}: ${hosts}`;
    case 'failed-units':
      return `failed systemd unit(s) ${subject}: ${hosts}`;
    case 'reboot':
      return `rebooted: ${hosts}`;
    case 'invalid-usernames':
      return `non-existent user names tried: ${hosts}`;
    case 'certificate':
      return `certificate ${subject}: ${hosts}`;
    case 'security-updates':
      return `security updates pending: ${hosts} (${formatCount(total)} in all)`;
    case 'reboot-required':
      return `reboot required: ${hosts}`;
    case 'clock-unsynchronised':
      return `clock not synchronised: ${hosts}`;
    case 'kernel-oom-kill':
      return `kernel OOM kills: ${hosts} (${formatCount(total)} in all)`;
    case 'kernel-io-error':
      return `kernel I/O errors: ${hosts} (${formatCount(total)} in all)`;
    case 'kernel-fs-error':
      return `filesystem errors: ${hosts} (${formatCount(total)} in all)`;
    case 'kernel-segfault':
      return `segfaults: ${hosts} (${formatCount(total)} in all)`;
    case 'kernel-hung-task':
      return `hung tasks: ${hosts} (${formatCount(total)} in all)`;
    case 'kernel-hardware':
      return `hardware errors: ${hosts} (${formatCount(total)} in all)`;
    default:
      return `${subject || kind}: ${hosts}`;
  }
}

/** A host's part of a roll-up in a few words: "db01 /var 97%", "web02 (connection refused)". */
function detailOf(item: AttentionItem): string {
  const disk = /^(.*) is (\d+)% full/.exec(item.message);
  if (disk) return `${item.host} ${disk[1]} ${disk[2]}%`;
  if (item.kind === 'brute-force' && item.amount !== null) return `${item.host} ${formatCount(item.amount)}`;
  if (item.kind === 'unreachable') return `${item.host} (${item.message.replace(/^unreachable: /, '').slice(0, 60)})`;
  return item.host;
}

/**
 * Attention items rolled up across hosts by kind and subject, ranked by severity, then by how
 * many hosts, then by the figure behind them: the fleet's morning in a few lines.
 */
export function buildRollups(attention: AttentionItem[], examples = 3): Rollup[] {
  const groups = new Map<string, AttentionItem[]>();
  for (const item of attention) {
    const key = `${item.severity}\u0000${item.kind}\u0000${item.subject}`;
    const group = groups.get(key) ?? [];
    group.push(item);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((items) => {
      const first = items[0]!;
      const hosts = [...new Set(items.map((i) => i.host))];
      const shown = [...items].sort((a, b) => (b.amount ?? 0) - (a.amount ?? 0)).slice(0, examples);
      const rest = items.length - shown.length;
      return {
        severity: first.severity,
        category: first.category,
        kind: first.kind,
        subject: first.subject,
        title: titleOf(first.kind, first.subject, items, hosts.length),
        hosts,
        examples: shown.map(detailOf).join(', ') + (rest > 0 ? `, and ${formatCount(rest)} more` : ''),
        items,
      };
    })
    .sort(
      (a, b) =>
        severityRank[a.severity] - severityRank[b.severity] ||
        b.hosts.length - a.hosts.length ||
        total(b) - total(a) ||
        a.title.localeCompare(b.title),
    );
}

const total = (r: Rollup) => r.items.reduce((n, i) => n + (i.amount ?? 0), 0);
