import type { ReportModel } from '../../report-model.js';
import { sheets } from '../../report-sections.js';
import { addSheet, severityFill, localTime, type Workbook } from '../workbook.js';

export function alertsSheet(workbook: Workbook, model: ReportModel): void {
  addSheet(
    workbook,
    sheets.alerts,
    [
      { header: 'Severity', width: 10, value: (r: ReportModel['attention'][number]) => r.severity },
      { header: 'Host', width: 24, value: (r) => r.host },
      { header: 'Area', width: 12, value: (r) => r.category },
      { header: 'Kind', width: 18, value: (r) => r.kind },
      { header: 'Issue', width: 100, value: (r) => r.message },
    ],
    model.attention,
    { rowFill: (r) => severityFill[r.severity] },
  );
}

export function alertsFiredSheet(workbook: Workbook, model: ReportModel): void {
  const local = localTime(model);

  addSheet(
    workbook,
    sheets.alertsFired,
    [
      {
        header: 'Time',
        width: 20,
        numFmt: 'yyyy-mm-dd hh:mm:ss',
        value: (r: ReportModel['alertsFired'][number]) => local(r.at),
      },
      { header: 'Host', width: 24, value: (r) => r.host },
      { header: 'State', width: 12, value: (r) => r.state },
      { header: 'Severity', width: 10, value: (r) => r.severity },
      { header: 'Rule', width: 14, value: (r) => r.rule },
      { header: 'Alert', width: 60, value: (r) => r.message },
      { header: 'Seen by', width: 12, value: (r) => r.source },
      { header: 'Silenced', width: 40, value: (r) => r.silenced },
    ],
    model.alertsFired,
  );
}
