import type { ReportModel } from '../../report-model.js';
import { sheets } from '../../report-sections.js';
import { addSheet, type Workbook } from '../workbook.js';

export function unreachableSheet(workbook: Workbook, model: ReportModel): void {
  addSheet(
    workbook,
    sheets.unreachable,
    [
      { header: 'Host', width: 24, value: (r: ReportModel['unreachable'][number]) => r.host },
      { header: 'Address', width: 20, value: (r) => r.address },
      { header: 'Reason', width: 110, value: (r) => r.reason },
    ],
    model.unreachable,
  );
}

export function errorsSheet(workbook: Workbook, model: ReportModel): void {
  addSheet(
    workbook,
    sheets.errors,
    [
      { header: 'Host', width: 24, value: (r: ReportModel['problems'][number]) => r.host },
      { header: 'Probe', width: 12, value: (r) => r.probe },
      { header: 'Problem', width: 110, value: (r) => r.message },
    ],
    [...model.unreachable.map((u) => ({ host: u.host, probe: 'connection', message: u.reason })), ...model.problems],
  );
}

/** Only when a probe gave readings of its own. */
export function readingsSheet(workbook: Workbook, model: ReportModel): void {
  if (model.readings.length === 0) return;
  addSheet(
    workbook,
    sheets.readings,
    [
      { header: 'Host', width: 24, value: (r: ReportModel['readings'][number]) => r.host },
      { header: 'Reading', width: 30, value: (r) => r.name },
      { header: 'Value', width: 30, value: (r) => r.value },
    ],
    model.readings,
  );
}
