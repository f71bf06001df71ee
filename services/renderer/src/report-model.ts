import type { AlertEvent, CollectedRun, CollectionProblem, Config, Silence } from '@infra-report/shared';
import { buildAlertsFired } from './model/alerts-fired.js';
import { noHistory, type ReportHistory } from './history.js';
import { buildAttention, securityFindingItem } from './model/attention.js';
import { buildRollups } from './model/rollups.js';
import { buildSinceYesterday } from './model/since-yesterday.js';
import { buildDiskRows, sortDiskRows } from './model/disks.js';
import { groupHosts } from './model/grouping.js';
import {
  buildBackupRows,
  buildCertificateRows,
  buildHealthRows,
  buildProcessRows,
  buildResourceRows,
  buildSecurityRows,
  buildUptimeRows,
} from './model/host-tables.js';
import {
  buildAcceptedLogins,
  buildFailedBySource,
  buildFailedByUser,
  buildPrivilegeRows,
  buildSourcesAcrossHosts,
} from './model/logins.js';
import { buildGroupSummary, buildHostRows, buildSummary } from './model/overview.js';
import type { ReportModel } from './model/types.js';

import { formatCount } from './format.js';

export { formatBytes, formatCount, formatDuration, formatTime } from './format.js';
export type * from './model/types.js';

/**
 * Everything a report shows, computed once from the run's snapshots and history: the PDF, the
 * XLSX and the email are views of it. Each section has its own builder in model/.
 */
export function buildReportModel(
  collected: CollectedRun,
  settings: Config['report'],
  generatedAt: Date,
  history: ReportHistory = noHistory('no history was read'),
  alerts: { events: AlertEvent[]; silences: Silence[] } = { events: [], silences: [] },
): ReportModel {
  const { thresholds } = settings;
  const { groupOf, snapshots, failures } = groupHosts(collected, settings.group_by);
  const disks = buildDiskRows(snapshots, groupOf, thresholds, history);
  const acceptedLogins = buildAcceptedLogins(snapshots, history);
  const failedBySource = buildFailedBySource(snapshots);
  const uptime = buildUptimeRows(snapshots, groupOf, new Date(collected.run.windowStart));
  const processes = buildProcessRows(snapshots, groupOf);
  const security = buildSecurityRows(snapshots);
  const certificates = buildCertificateRows(snapshots, new Date(collected.run.windowEnd), thresholds);
  const attention = buildAttention(
    { snapshots, certificates, failures, disks, security, acceptedLogins, processes, failedBySource, uptime },
    thresholds,
    settings.timezone,
  );
  const hosts = buildHostRows(snapshots, failures, groupOf, attention);
  const withFindings = new Set(attention.map((a) => a.host));
  const appendixLimit = settings.appendix_max_hosts;
  return {
    title: settings.title,
    company: settings.company,
    logoFile: settings.logo_file,
    cjkFontFile: settings.cjk_font_file,
    sections: new Set(settings.sections),
    run: collected.run,
    generatedAt,
    timezone: settings.timezone,
    thresholds: {
      diskWarnPercent: thresholds.disk_warn_percent,
      diskCriticalPercent: thresholds.disk_critical_percent,
      failedLoginsWarn: thresholds.brute_force_attempts,
    },
    expectedConditions: expectedConditions(snapshots),
    historyNote: history.unavailable,
    summary: buildSummary({ snapshots, failures, attention, filesystems: disks.length, acceptedLogins, uptime }),
    attention,
    rollups: buildRollups(attention),
    securityRollups: buildRollups(security.map(securityFindingItem)),
    groups: [...new Set(hosts.map((h) => h.group))],
    groupSummary: buildGroupSummary(hosts),
    hosts,
    disks: sortDiskRows(disks),
    acceptedLogins,
    rootLogins: acceptedLogins.filter((l) => l.user === 'root'),
    failedBySource,
    failedBySourceAcrossHosts: buildSourcesAcrossHosts(failedBySource),
    failedByUser: buildFailedByUser(snapshots),
    privilege: buildPrivilegeRows(snapshots),
    uptime,
    health: buildHealthRows(snapshots, groupOf),
    certificates,
    sinceYesterday: buildSinceYesterday(snapshots, failures, disks, acceptedLogins, history),
    resources: buildResourceRows(snapshots, groupOf, history),
    processes,
    backups: buildBackupRows(snapshots),
    unreachable: failures.map((f) => ({ host: f.host, address: f.address, group: groupOf(f.host), reason: f.reason })),
    problems: snapshots.flatMap((s) =>
      s.problems
        .filter((p) => !isExpectedCondition(p))
        .map((p) => ({ host: s.host, probe: p.probe, message: p.message })),
    ),
    security,
    // Hosts with something to say first, in report order; the XLSX has every host.
    appendixHosts: [
      ...snapshots.filter((s) => withFindings.has(s.host)),
      ...snapshots.filter((s) => !withFindings.has(s.host)),
    ]
      .slice(0, appendixLimit)
      .map((snapshot) => ({ group: groupOf(snapshot.host), snapshot })),
    alertsFired: buildAlertsFired(alerts.events, alerts.silences),
    readings: snapshots.flatMap((s) =>
      Object.entries(s.readings ?? {}).map(([name, value]) => ({ host: s.host, name, value })),
    ),
    appendixOmitted: Math.max(0, snapshots.length - appendixLimit),
  };
}

/** Conditions expected for a non-root collection, said once for the fleet instead of per host. */
function expectedConditions(snapshots: CollectedRun['snapshots']): string[] {
  const hidden = snapshots.filter((s) => s.problems.some(isExpectedCondition)).length;
  const windows = snapshots.filter((s) => s.platform === 'windows').length;
  return [
    ...(hidden > 0
      ? [
          `On ${formatCount(hidden)} host(s) other users' processes could not be inspected (that needs root): /tmp and deleted executables were checked among the SSH user's own processes.`,
        ]
      : []),
    ...(windows > 0
      ? [
          `${formatCount(windows)} Windows host(s): drives, uptime, stopped automatic services and logons (Security and OpenSSH event logs) are read; load, CPU, memory, temperatures, processes, listening ports and logged-in users are not, and show as "—".`,
        ]
      : []),
  ];
}

/** A collection problem that is the expected result of collecting without root (the collector says so). */
export function isExpectedCondition(problem: CollectionProblem): boolean {
  return problem.expectedWithoutRoot === true;
}
