import { describeLoginSource, type Config, type HostFailure, type HostSnapshot } from '@infra-report/shared';
import { formatBytes, formatTime } from '../format.js';
import {
  severityRank,
  type AcceptedLoginRow,
  type AttentionItem,
  type DiskRow,
  type FailedSourceRow,
  type ProcessRow,
  type SecurityRow,
  type UptimeRow,
} from './types.js';

export interface AttentionInputs {
  snapshots: HostSnapshot[];
  failures: HostFailure[];
  disks: DiskRow[];
  security: SecurityRow[];
  acceptedLogins: AcceptedLoginRow[];
  processes: ProcessRow[];
  failedBySource: FailedSourceRow[];
  uptime: UptimeRow[];
}

/** Everything that needs an administrator today, critical first, then by host. */
export function buildAttention(
  rows: AttentionInputs,
  thresholds: Config['report']['thresholds'],
  timezone: string,
): AttentionItem[] {
  return [
    ...rows.failures.map((f) => ({
      severity: 'critical' as const,
      host: f.host,
      category: 'unreachable' as const,
      message: `unreachable: ${f.reason}`,
    })),
    ...rows.disks
      .filter((d) => d.severity !== 'ok')
      .map((d) => ({
        severity: d.severity as 'critical' | 'warning',
        host: d.host,
        category: 'disk' as const,
        message:
          `${d.mount} is ${d.usedPercent}% full (${formatBytes(d.availableBytes)} free of ${formatBytes(d.sizeBytes)})` +
          (d.inodesUsedPercent !== null && d.inodesUsedPercent >= thresholds.disk_warn_percent
            ? `, inodes ${d.inodesUsedPercent}% used`
            : '') +
          (d.previousPercent !== null && d.previousPercent < thresholds.disk_warn_percent
            ? `, new since the last run (was ${Math.round(d.previousPercent)}%)`
            : '') +
          (d.daysUntilFull !== null ? `, full in ~${Math.round(d.daysUntilFull)} days` : ''),
      })),
    ...rows.disks
      .filter((d) => d.severity === 'ok' && d.daysUntilFull !== null && d.daysUntilFull <= 14)
      .map((d) => ({
        severity: 'warning' as const,
        host: d.host,
        category: 'disk' as const,
        message: `${d.mount} will be full in ~${Math.round(d.daysUntilFull ?? 0)} days at its current growth (${d.forecastNote})`,
      })),
    ...rows.security
      .filter((f) => f.kind !== 'brute-force')
      .map((f) => ({ severity: f.severity, host: f.host, category: 'security' as const, message: f.message })),
    ...rows.acceptedLogins
      .filter((l) => l.firstSeen === true)
      .map((l) => ({
        severity: 'warning' as const,
        host: l.host,
        category: 'logins' as const,
        message: `first login from ${l.sourceIp} (user ${l.user}, ${formatTime(l.time, timezone)})`,
      })),
    ...rows.processes
      .filter((p) => (p.failedUnits?.length ?? 0) > 0)
      .map((p) => ({
        severity: 'warning' as const,
        host: p.host,
        category: 'services' as const,
        message: `failed systemd unit(s): ${p.failedUnits?.join(', ')}`,
      })),
    ...rows.failedBySource
      .filter((f) => f.attempts >= thresholds.failed_logins_warn)
      .map((f) => ({
        severity: 'warning' as const,
        host: f.host,
        category: 'logins' as const,
        message: `${f.attempts} failed SSH logins from ${describeLoginSource(f.sourceIp)}`,
      })),
    ...rows.uptime
      .filter((u) => u.rebootedInWindow)
      .map((u) => ({
        severity: 'warning' as const,
        host: u.host,
        category: 'reboot' as const,
        message: `rebooted at ${u.bootTime ? formatTime(u.bootTime, timezone) : '?'}`,
      })),
    ...rows.snapshots
      .filter((s) => s.problems.some((p) => p.probe === 'logins'))
      .map((s) => ({
        severity: 'warning' as const,
        host: s.host,
        category: 'collection' as const,
        message: s.problems.find((p) => p.probe === 'logins')?.message ?? '',
      })),
  ].sort((a, b) => severityRank[a.severity] - severityRank[b.severity] || a.host.localeCompare(b.host));
}
