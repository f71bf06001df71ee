import type { CollectedRun, Config, HostFailure, HostSnapshot } from '@infra-report/shared';

export const noGroup = '(no group)';

/** How hosts are grouped in the report, and the hosts in report order (group, then name). */
export interface HostGrouping {
  groupOf(host: string): string;
  snapshots: HostSnapshot[];
  failures: HostFailure[];
}

/** report.group_by: the first host group, a label's value, or no grouping at all. */
export function groupHosts(collected: CollectedRun, groupBy: Config['report']['group_by']): HostGrouping {
  const labelKey = groupBy.startsWith('label:') ? groupBy.slice('label:'.length) : null;
  const groups = new Map<string, string>(
    [...collected.snapshots, ...collected.failures].map((h) => [
      h.host,
      groupBy === 'none'
        ? noGroup
        : labelKey
          ? (('labels' in h ? h.labels[labelKey] : undefined) ?? noGroup)
          : (h.groups[0] ?? noGroup),
    ]),
  );
  const groupOf = (host: string) => groups.get(host) ?? noGroup;
  return {
    groupOf,
    snapshots: [...collected.snapshots].sort(
      (a, b) => groupOf(a.host).localeCompare(groupOf(b.host)) || a.host.localeCompare(b.host),
    ),
    failures: [...collected.failures].sort((a, b) => a.host.localeCompare(b.host)),
  };
}
