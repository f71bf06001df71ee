import type { ReportModel } from '../../report-model.js';
import { sheets } from '../../report-sections.js';
import { addSheet, bytesFormat, dateFormat, severityFill, localTime, type Workbook } from '../workbook.js';

export function processesSheet(workbook: Workbook, model: ReportModel): void {
  addSheet(
    workbook,
    sheets.processes,
    [
      { header: 'Host', width: 24, value: (r: ReportModel['processes'][number]) => r.host },
      { header: 'Group', width: 16, value: (r) => r.group },
      { header: 'Total', width: 8, value: (r) => r.total, numFmt: '0' },
      { header: 'Running', width: 8, value: (r) => r.running, numFmt: '0' },
      { header: 'Blocked', width: 8, value: (r) => r.blocked, numFmt: '0' },
      { header: 'Zombies', width: 8, value: (r) => r.zombies, numFmt: '0' },
      {
        header: 'Failed systemd units',
        width: 60,
        value: (r) => (r.failedUnits === null ? 'no systemd' : r.failedUnits.join(', ')),
      },
    ],
    model.processes,
    { rowFill: (r) => ((r.failedUnits?.length ?? 0) > 0 ? severityFill.warning : undefined) },
  );
}

export function backupsSheet(workbook: Workbook, model: ReportModel): void {
  const local = localTime(model);

  addSheet(
    workbook,
    sheets.backups,
    [
      { header: 'Host', width: 24, value: (r: ReportModel['backups'][number]) => r.host },
      { header: 'Backup', width: 16, value: (r) => r.name },
      { header: 'Path', width: 40, value: (r) => r.path },
      { header: 'Newest file', width: 50, value: (r) => r.newestFile },
      { header: 'Modified', width: 20, value: (r) => local(r.modified), numFmt: dateFormat },
      { header: 'Age (hours)', width: 10, value: (r) => r.ageHours, numFmt: '0.0' },
      { header: 'Limit (hours)', width: 10, value: (r) => r.maxAgeHours, numFmt: '0' },
      { header: 'Size (bytes)', width: 16, value: (r) => r.sizeBytes, numFmt: bytesFormat },
    ],
    model.backups,
    { rowFill: (r) => severityFill[r.severity] },
  );
}
