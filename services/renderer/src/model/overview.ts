import type { HostFailure, HostSnapshot } from '@infra-report/shared';
import type { AcceptedLoginRow, AttentionItem, GroupRow, HostRow, ReportModel, UptimeRow } from './types.js';

/** One row per host, reporting or not, with its count of critical items and warnings. */
export function buildHostRows(
  snapshots: HostSnapshot[],
  failures: HostFailure[],
  groupOf: (host: string) => string,
  attention: AttentionItem[],
): HostRow[] {
  const counts = new Map<string, { critical: number; warning: number }>();
  for (const a of attention) {
    const c = counts.get(a.host) ?? { critical: 0, warning: 0 };
    c[a.severity] += 1;
    counts.set(a.host, c);
  }
  const countFor = (host: string, severity: 'critical' | 'warning') => counts.get(host)?.[severity] ?? 0;
  return [
    ...snapshots.map((s) => ({
      host: s.host,
      address: s.address,
      group: groupOf(s.host),
      groups: s.groups,
      status: 'reporting' as const,
      detail: s.os.prettyName ?? '',
    })),
    ...failures.map((f) => ({
      host: f.host,
      address: f.address,
      group: groupOf(f.host),
      groups: f.groups,
      status: 'unreachable' as const,
      detail: f.reason,
    })),
  ]
    .map((h) => ({ ...h, critical: countFor(h.host, 'critical'), warnings: countFor(h.host, 'warning') }))
    .sort((a, b) => a.group.localeCompare(b.group) || a.host.localeCompare(b.host));
}

/** Per group: hosts, how many reported, and their critical items and warnings. */
export function buildGroupSummary(hosts: HostRow[]): GroupRow[] {
  return [...new Set(hosts.map((h) => h.group))].map((group) => {
    const members = hosts.filter((h) => h.group === group);
    return {
      group,
      hosts: members.length,
      reporting: members.filter((h) => h.status === 'reporting').length,
      unreachable: members.filter((h) => h.status === 'unreachable').length,
      critical: members.reduce((n, h) => n + h.critical, 0),
      warnings: members.reduce((n, h) => n + h.warnings, 0),
    };
  });
}

/** The first page's figures. */
export function buildSummary(rows: {
  snapshots: HostSnapshot[];
  failures: HostFailure[];
  attention: AttentionItem[];
  filesystems: number;
  acceptedLogins: AcceptedLoginRow[];
  uptime: UptimeRow[];
}): ReportModel['summary'] {
  const { snapshots, failures, attention, acceptedLogins, uptime } = rows;
  return {
    hostsTotal: snapshots.length + failures.length,
    hostsReporting: snapshots.length,
    hostsUnreachable: failures.length,
    critical: attention.filter((a) => a.severity === 'critical').length,
    warning: attention.filter((a) => a.severity === 'warning').length,
    filesystems: rows.filesystems,
    acceptedLogins: acceptedLogins.length,
    failedLogins: snapshots.reduce((sum, s) => sum + s.logins.failed.reduce((n, f) => n + f.count, 0), 0),
    newSourceIps: acceptedLogins.filter((l) => l.firstSeen === true).length,
    rebooted: uptime.filter((u) => u.rebootedInWindow).length,
  };
}
