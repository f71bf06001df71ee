import type { CollectedRun, Config } from '@infra-report/shared';
import { noHistory, type ReportHistory } from './history.js';
import { buildAttention } from './model/attention.js';
import { buildDiskRows, sortDiskRows } from './model/disks.js';
import { groupHosts } from './model/grouping.js';
import {
  buildBackupRows,
  buildProcessRows,
  buildResourceRows,
  buildSecurityRows,
  buildUptimeRows,
} from './model/host-tables.js';
import { buildAcceptedLogins, buildFailedBySource, buildFailedByUser, buildPrivilegeRows } from './model/logins.js';
import { buildGroupSummary, buildHostRows, buildSummary } from './model/overview.js';
import type { ReportModel } from './model/types.js';

export { formatBytes, formatDuration, formatTime } from './format.js';
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
): ReportModel {
  const { thresholds } = settings;
  const { groupOf, snapshots, failures } = groupHosts(collected, settings.group_by);
  const disks = buildDiskRows(snapshots, groupOf, thresholds, history);
  const acceptedLogins = buildAcceptedLogins(snapshots, history);
  const failedBySource = buildFailedBySource(snapshots);
  const uptime = buildUptimeRows(snapshots, groupOf, new Date(collected.run.windowStart));
  const processes = buildProcessRows(snapshots, groupOf);
  const security = buildSecurityRows(snapshots);
  const attention = buildAttention(
    { snapshots, failures, disks, security, acceptedLogins, processes, failedBySource, uptime },
    thresholds,
    settings.timezone,
  );
  const hosts = buildHostRows(snapshots, failures, groupOf, attention);
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
      failedLoginsWarn: thresholds.failed_logins_warn,
    },
    historyNote: history.unavailable,
    summary: buildSummary({ snapshots, failures, attention, filesystems: disks.length, acceptedLogins, uptime }),
    attention,
    groups: [...new Set(hosts.map((h) => h.group))],
    groupSummary: buildGroupSummary(hosts),
    hosts,
    disks: sortDiskRows(disks),
    acceptedLogins,
    rootLogins: acceptedLogins.filter((l) => l.user === 'root'),
    failedBySource,
    failedByUser: buildFailedByUser(snapshots),
    privilege: buildPrivilegeRows(snapshots),
    uptime,
    resources: buildResourceRows(snapshots, groupOf, history),
    processes,
    backups: buildBackupRows(snapshots),
    unreachable: failures.map((f) => ({ host: f.host, address: f.address, group: groupOf(f.host), reason: f.reason })),
    problems: snapshots.flatMap((s) => s.problems.map((p) => ({ host: s.host, probe: p.probe, message: p.message }))),
    security,
    appendixHosts: snapshots.slice(0, appendixLimit).map((snapshot) => ({ group: groupOf(snapshot.host), snapshot })),
    appendixOmitted: Math.max(0, snapshots.length - appendixLimit),
  };
}
