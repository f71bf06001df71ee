import type { ReportModel } from '../../report-model.js';
import { sheets } from '../../report-sections.js';
import { addSheet, dateFormat, severityFill, localTime, type Workbook } from '../workbook.js';

export function healthSheet(workbook: Workbook, model: ReportModel): void {
  const kernelCount = (
    r: ReportModel['health'][number],
    kind: keyof NonNullable<ReportModel['health'][number]['kernel']>,
  ) => (r.kernel === null ? null : (r.kernel[kind] ?? 0));
  addSheet(
    workbook,
    sheets.health,
    [
      { header: 'Host', width: 24, value: (r: ReportModel['health'][number]) => r.host },
      { header: 'Group', width: 16, value: (r) => r.group },
      { header: 'OOM kills', width: 10, value: (r) => kernelCount(r, 'oom-kill'), numFmt: '#,##0' },
      { header: 'I/O errors', width: 10, value: (r) => kernelCount(r, 'io-error'), numFmt: '#,##0' },
      { header: 'Filesystem errors', width: 10, value: (r) => kernelCount(r, 'fs-error'), numFmt: '#,##0' },
      { header: 'Segfaults', width: 10, value: (r) => kernelCount(r, 'segfault'), numFmt: '#,##0' },
      { header: 'Hung tasks', width: 10, value: (r) => kernelCount(r, 'hung-task'), numFmt: '#,##0' },
      { header: 'Hardware errors', width: 10, value: (r) => kernelCount(r, 'hardware'), numFmt: '#,##0' },
      { header: 'Kernel detail', width: 50, value: (r) => (r.kernel === null ? 'not readable' : r.kernelDetail) },
      { header: 'Pending updates', width: 10, value: (r) => r.pendingUpdates, numFmt: '#,##0' },
      { header: 'Security updates', width: 10, value: (r) => r.securityUpdates, numFmt: '#,##0' },
      { header: 'Reboot required', width: 10, value: (r) => r.rebootRequired },
      { header: 'Package check', width: 12, value: (r) => r.packageCheck },
      { header: 'Package check CPU (ms)', width: 10, value: (r) => r.packageCheckCpuMs, numFmt: '#,##0' },
      { header: 'Clock synchronised', width: 10, value: (r) => r.clockSynchronized },
      { header: 'Clock detail', width: 30, value: (r) => r.clockDetail },
    ],
    model.health,
  );
}

export function certificatesSheet(workbook: Workbook, model: ReportModel): void {
  const local = localTime(model);

  addSheet(
    workbook,
    sheets.certificates,
    [
      { header: 'Host', width: 24, value: (r: ReportModel['certificates'][number]) => r.host },
      { header: 'Certificate', width: 40, value: (r) => r.target },
      { header: 'Subject', width: 40, value: (r) => r.subject },
      { header: 'Expires', width: 20, value: (r) => local(r.notAfter), numFmt: dateFormat },
      { header: 'Days left', width: 10, value: (r) => r.daysLeft, numFmt: '#,##0' },
      { header: 'Severity', width: 10, value: (r) => r.severity },
      { header: 'Error', width: 40, value: (r) => r.error },
    ],
    model.certificates,
    { rowFill: (r) => severityFill[r.severity] },
  );
}
