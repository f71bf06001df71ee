import type { ReportModel } from '../../report-model.js';
import { sheets } from '../../report-sections.js';
import { addSheet, severityFill, type Workbook } from '../workbook.js';

export function securitySheet(workbook: Workbook, model: ReportModel): void {
  addSheet(
    workbook,
    sheets.security,
    [
      { header: 'Host', width: 24, value: (r: ReportModel['security'][number]) => r.host },
      { header: 'Severity', width: 10, value: (r) => r.severity },
      { header: 'Kind', width: 20, value: (r) => r.kind },
      { header: 'Finding', width: 100, value: (r) => r.message },
    ],
    model.security,
    { rowFill: (r) => severityFill[r.severity] },
  );
}
