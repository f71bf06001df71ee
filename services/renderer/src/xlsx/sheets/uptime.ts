import type { ReportModel } from '../../report-model.js';
import { sheets } from '../../report-sections.js';
import { addSheet, dateFormat, severityFill, localTime, type Workbook } from '../workbook.js';

export function uptimeSheet(workbook: Workbook, model: ReportModel): void {
  const local = localTime(model);

  addSheet(
    workbook,
    sheets.uptime,
    [
      { header: 'Host', width: 24, value: (r: ReportModel['uptime'][number]) => r.host },
      { header: 'Group', width: 16, value: (r) => r.group },
      { header: 'OS', width: 32, value: (r) => r.os },
      { header: 'Kernel', width: 24, value: (r) => r.kernel },
      {
        header: 'Uptime (days)',
        width: 14,
        value: (r) => (r.uptimeSeconds === null ? null : r.uptimeSeconds / 86400),
        numFmt: '0.00',
      },
      { header: 'Boot time', width: 20, value: (r) => local(r.bootTime), numFmt: dateFormat },
      { header: 'Rebooted in window', width: 12, value: (r) => r.rebootedInWindow },
    ],
    model.uptime,
    { rowFill: (r) => (r.rebootedInWindow ? severityFill.warning : undefined) },
  );
}
