import type { ReportModel } from '../../report-model.js';
import { sheets } from '../../report-sections.js';
import { addSheet, bytesFormat, percentFormat, type Workbook } from '../workbook.js';

export function disksSheet(workbook: Workbook, model: ReportModel): void {
  const diskRows = model.disks;
  addSheet(
    workbook,
    sheets.disks,
    [
      { header: 'Host', width: 24, value: (r: ReportModel['disks'][number]) => r.host },
      { header: 'Mount', width: 28, value: (r) => r.mount },
      { header: 'Device', width: 24, value: (r) => r.device },
      { header: 'Type', width: 10, value: (r) => r.fsType },
      { header: 'Size (bytes)', width: 18, value: (r) => r.sizeBytes, numFmt: bytesFormat },
      { header: 'Used (bytes)', width: 18, value: (r) => r.usedBytes, numFmt: bytesFormat },
      { header: 'Available (bytes)', width: 18, value: (r) => r.availableBytes, numFmt: bytesFormat },
      { header: 'Used %', width: 9, value: (r) => r.usedPercent / 100, numFmt: percentFormat },
      {
        header: 'Inodes used %',
        width: 10,
        value: (r) => (r.inodesUsedPercent === null ? null : r.inodesUsedPercent / 100),
        numFmt: percentFormat,
      },
      {
        header: 'Used % last run',
        width: 10,
        value: (r) => (r.previousPercent === null ? null : r.previousPercent / 100),
        numFmt: percentFormat,
      },
      { header: 'Days until full', width: 10, value: (r) => r.daysUntilFull, numFmt: '0.0' },
      { header: 'Forecast', width: 34, value: (r) => r.forecastNote },
      { header: 'Severity', width: 10, value: (r) => r.severity },
    ],
    diskRows,
    {
      thresholds: [
        {
          column: 8,
          warn: model.thresholds.diskWarnPercent / 100,
          critical: model.thresholds.diskCriticalPercent / 100,
        },
        {
          column: 9,
          warn: model.thresholds.diskWarnPercent / 100,
          critical: model.thresholds.diskCriticalPercent / 100,
        },
      ],
    },
  );
}
