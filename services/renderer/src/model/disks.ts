import type { Config, HostSnapshot } from '@infra-report/shared';
import { diskKey, forecastDiskFull, type ReportHistory } from '../history.js';
import { severityRank, worseOf, type DiskRow, type Severity } from './types.js';

type Thresholds = Config['report']['thresholds'];

/** One row per filesystem: use, inode use, severity, the last run's figure and a forecast. */
export function buildDiskRows(
  snapshots: HostSnapshot[],
  groupOf: (host: string) => string,
  thresholds: Thresholds,
  history: ReportHistory,
): DiskRow[] {
  const diskSeverity = (percent: number): Severity =>
    percent >= thresholds.disk_critical_percent
      ? 'critical'
      : percent >= thresholds.disk_warn_percent
        ? 'warning'
        : 'ok';
  return snapshots.flatMap((s) =>
    s.filesystems.map((fs) => {
      const key = diskKey(s.host, fs.mount);
      const forecast = history.unavailable
        ? { daysUntilFull: null, note: 'no history' }
        : forecastDiskFull(history.diskSeries.get(key) ?? [], {
            time: Date.parse(s.collectedAt),
            usedBytes: fs.usedBytes,
            availableBytes: fs.availableBytes,
          });
      const inodeSeverityPercent = fs.inodesTotal ? Math.ceil(((fs.inodesUsed ?? 0) * 100) / fs.inodesTotal) : null;
      const severity = worseOf(
        diskSeverity(fs.usedPercent),
        inodeSeverityPercent === null ? 'ok' : diskSeverity(inodeSeverityPercent),
      );
      return {
        host: s.host,
        group: groupOf(s.host),
        mount: fs.mount,
        device: fs.device,
        fsType: fs.fsType,
        sizeBytes: fs.sizeBytes,
        usedBytes: fs.usedBytes,
        availableBytes: fs.availableBytes,
        usedPercent: fs.usedPercent,
        inodesUsedPercent: inodeSeverityPercent,
        severity,
        previousPercent: history.previousDiskPercent.get(key) ?? null,
        daysUntilFull: forecast.daysUntilFull,
        forecastNote: forecast.note,
      };
    }),
  );
}

/** The disks table's order: worst first, then fullest. */
export function sortDiskRows(disks: DiskRow[]): DiskRow[] {
  return disks.sort(
    (a, b) =>
      severityRank[a.severity] - severityRank[b.severity] ||
      b.usedPercent - a.usedPercent ||
      a.host.localeCompare(b.host),
  );
}
