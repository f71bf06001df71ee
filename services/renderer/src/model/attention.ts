import { describeLoginSource, type Config, type HostFailure, type HostSnapshot } from '@infra-report/shared';
import { formatBytes, formatCount, formatTime } from '../format.js';
import { describeKernelEvents } from './host-tables.js';
import {
  severityRank,
  type AcceptedLoginRow,
  type CertificateRow,
  type AttentionItem,
  type DiskRow,
  type FailedSourceRow,
  type ProcessRow,
  type SecurityRow,
  type UptimeRow,
} from './types.js';

export interface AttentionInputs {
  snapshots: HostSnapshot[];
  certificates?: CertificateRow[];
  failures: HostFailure[];
  disks: DiskRow[];
  security: SecurityRow[];
  acceptedLogins: AcceptedLoginRow[];
  processes: ProcessRow[];
  failedBySource: FailedSourceRow[];
  uptime: UptimeRow[];
}

/** An attention item; without a subject it rolls up by kind alone, without an amount it adds nothing up. */
export function attentionItem(
  fields: Pick<AttentionItem, 'severity' | 'host' | 'category' | 'kind' | 'message'> &
    Partial<Pick<AttentionItem, 'subject' | 'amount'>>,
): AttentionItem {
  return { subject: '', amount: null, ...fields };
}

/** A host's security finding as an attention item. */
export function securityFindingItem(f: SecurityRow): AttentionItem {
  return attentionItem({
    severity: f.severity,
    host: f.host,
    category: 'security',
    kind: f.kind,
    // Names tried differ per host; other findings roll up when their text is the same.
    subject: f.kind === 'invalid-usernames' ? '' : f.message,
    amount: f.amount,
    message: f.message,
  });
}

/** File systems over a threshold, and those that will be full within two weeks at their growth. */
function diskItems(disks: AttentionInputs['disks'], thresholds: Config['report']['thresholds']): AttentionItem[] {
  const item = attentionItem;
  return [
    ...disks
      .filter((d) => d.severity !== 'ok')
      .map((d) =>
        item({
          severity: d.severity as 'critical' | 'warning',
          host: d.host,
          category: 'disk',
          kind: `disk-${d.severity}`,
          amount: d.usedPercent,
          message:
            `${d.mount} is ${d.usedPercent}% full (${formatBytes(d.availableBytes)} free of ${formatBytes(d.sizeBytes)})` +
            (d.inodesUsedPercent !== null && d.inodesUsedPercent >= thresholds.disk_warn_percent
              ? `, inodes ${d.inodesUsedPercent}% used`
              : '') +
            (d.previousPercent !== null && d.previousPercent < thresholds.disk_warn_percent
              ? `, new since the last run (was ${Math.round(d.previousPercent)}%)`
              : '') +
            (d.daysUntilFull !== null ? `, full in ~${Math.round(d.daysUntilFull)} days` : ''),
        }),
      ),
    ...disks
      .filter((d) => d.severity === 'ok' && d.daysUntilFull !== null && d.daysUntilFull <= 14)
      .map((d) =>
        item({
          severity: 'warning',
          host: d.host,
          category: 'disk',
          kind: 'disk-forecast',
          message: `${d.mount} will be full in ~${Math.round(d.daysUntilFull ?? 0)} days at its current growth (${d.forecastNote})`,
        }),
      ),
  ];
}

/** Certificates expiring, expired, or that could not be read. */
function certificateItems(
  certificates: NonNullable<AttentionInputs['certificates']>,
  timezone: string,
): AttentionItem[] {
  const item = attentionItem;
  return [
    ...certificates
      .filter((c) => c.severity !== 'ok')
      .map((c) => {
        const when = c.notAfter ? formatTime(c.notAfter, timezone) : '?';
        const state = (c.daysLeft ?? 0) < 0 ? `expired on ${when}` : `expires in ${c.daysLeft} day(s), ${when}`;
        return item({
          severity: c.severity as 'critical' | 'warning',
          host: c.host,
          category: 'certificates',
          kind: 'certificate',
          // The same certificate with the same end on many hosts is one finding.
          subject: c.error ? `${c.target} could not be checked: ${c.error}` : `${c.subject ?? c.target} ${state}`,
          amount: c.daysLeft,
          message: c.error
            ? `certificate ${c.target} could not be checked: ${c.error}`
            : `certificate ${c.target}${c.subject ? ` (${c.subject})` : ''} ${state}`,
        });
      }),
  ];
}

/** Everything that needs an administrator today, critical first, then by host. */
export function buildAttention(
  rows: AttentionInputs,
  thresholds: Config['report']['thresholds'],
  timezone: string,
): AttentionItem[] {
  const item = attentionItem;
  return [
    ...rows.failures.map((f) =>
      item({
        severity: 'critical',
        host: f.host,
        category: 'unreachable',
        kind: 'unreachable',
        message: `unreachable: ${f.reason}`,
      }),
    ),
    ...diskItems(rows.disks, thresholds),
    // Brute-force sources come from the failed-login table below, with the same threshold as the
    // collector's finding: one item per host and source, counted once.
    ...rows.security.filter((f) => f.kind !== 'brute-force').map(securityFindingItem),
    ...rows.acceptedLogins
      .filter((l) => l.firstSeen === true)
      .map((l) =>
        item({
          severity: 'warning',
          host: l.host,
          category: 'logins',
          kind: 'first-login',
          subject: l.sourceIp,
          message: `first login from ${l.sourceIp} (user ${l.user}, ${formatTime(l.time, timezone)})`,
        }),
      ),
    ...rows.processes
      .filter((p) => (p.failedUnits?.length ?? 0) > 0)
      .map((p) =>
        item({
          severity: 'warning',
          host: p.host,
          category: 'services',
          kind: 'failed-units',
          subject: p.failedUnits?.join(', ') ?? '',
          message: `failed systemd unit(s): ${p.failedUnits?.join(', ')}`,
        }),
      ),
    ...rows.failedBySource
      .filter((f) => f.attempts >= thresholds.brute_force_attempts)
      .map((f) =>
        item({
          severity: 'warning',
          host: f.host,
          category: 'logins',
          kind: 'brute-force',
          subject: f.sourceIp,
          amount: f.attempts,
          message: `${formatCount(f.attempts)} failed SSH logins from ${describeLoginSource(f.sourceIp)}`,
        }),
      ),
    ...rows.uptime
      .filter((u) => u.rebootedInWindow)
      .map((u) =>
        item({
          severity: 'warning',
          host: u.host,
          category: 'reboot',
          kind: 'reboot',
          message: `rebooted at ${u.bootTime ? formatTime(u.bootTime, timezone) : '?'}`,
        }),
      ),
    ...rows.snapshots.flatMap((s) => healthItems(s)),
    ...certificateItems(rows.certificates ?? [], timezone),
    ...rows.snapshots
      .filter((s) => s.problems.some((p) => p.probe === 'logins'))
      .map((s) => {
        const message = s.problems.find((p) => p.probe === 'logins')?.message ?? '';
        return item({
          severity: 'warning',
          host: s.host,
          category: 'collection',
          kind: 'logins-problem',
          subject: message,
          message,
        });
      }),
  ].sort((a, b) => severityRank[a.severity] - severityRank[b.severity] || a.host.localeCompare(b.host));
}

/** Kernel trouble on a disk or in the hardware is critical; the rest is a warning. */
const kernelSeverity: Record<string, 'critical' | 'warning'> = {
  'io-error': 'critical',
  'fs-error': 'critical',
  hardware: 'critical',
  'oom-kill': 'warning',
  segfault: 'warning',
  'hung-task': 'warning',
};

/** Kernel trouble, security updates, a pending reboot and an unsynchronised clock. */
function healthItems(s: HostSnapshot): AttentionItem[] {
  const item = attentionItem;
  const out: AttentionItem[] = [];
  const kernel = s.kernelEvents;
  if (kernel)
    for (const [kind, n] of Object.entries(kernel.counts))
      if (n)
        out.push(
          item({
            severity: kernelSeverity[kind] ?? 'warning',
            host: s.host,
            category: 'kernel',
            kind: `kernel-${kind}`,
            amount: n,
            message: `kernel: ${describeKernelEvents(kernel, kind)}`,
          }),
        );
  const updates = s.updates;
  if (updates?.security)
    out.push(
      item({
        severity: 'warning',
        host: s.host,
        category: 'updates',
        kind: 'security-updates',
        amount: updates.security,
        message: `${formatCount(updates.security)} security update(s) pending${updates.securityPackages.length > 0 ? ` (${updates.securityPackages.slice(0, 8).join(', ')}${updates.securityPackages.length > 8 ? ', …' : ''})` : ''}`,
      }),
    );
  if (updates?.rebootRequired)
    out.push(
      item({
        severity: 'warning',
        host: s.host,
        category: 'updates',
        kind: 'reboot-required',
        message: `reboot required${updates.rebootPackages.length > 0 ? ` (${updates.rebootPackages.slice(0, 4).join(', ')})` : ''}`,
      }),
    );
  const clock = s.clockSync;
  if (clock && clock.synchronized === false)
    out.push(
      item({
        severity: 'warning',
        host: s.host,
        category: 'clock',
        kind: 'clock-unsynchronised',
        message: `clock not synchronised (${clock.tool ?? '?'}${clock.serviceActive === false ? ': time service off' : ''})`,
      }),
    );
  return out;
}
