import type { ReportModel } from '../../report-model.js';
import { sheets } from '../../report-sections.js';
import { addSheet, bytesFormat, type Workbook } from '../workbook.js';

export function resourcesSheet(workbook: Workbook, model: ReportModel): void {
  addSheet(
    workbook,
    sheets.resources,
    [
      { header: 'Host', width: 24, value: (r: ReportModel['resources'][number]) => r.host },
      { header: 'Group', width: 16, value: (r) => r.group },
      { header: 'CPUs', width: 7, value: (r) => r.cpuCount, numFmt: '0' },
      { header: 'CPU %', width: 9, value: (r) => (r.cpuPercent === null ? null : r.cpuPercent / 100), numFmt: '0.0%' },
      {
        header: 'iowait %',
        width: 9,
        value: (r) => (r.iowaitPercent === null ? null : r.iowaitPercent / 100),
        numFmt: '0.0%',
      },
      { header: 'Load 1m', width: 9, value: (r) => r.load1, numFmt: '0.00' },
      { header: 'Load 5m', width: 9, value: (r) => r.load5, numFmt: '0.00' },
      { header: 'Load 15m', width: 9, value: (r) => r.load15, numFmt: '0.00' },
      { header: 'Memory (bytes)', width: 16, value: (r) => r.memoryTotalBytes, numFmt: bytesFormat },
      {
        header: 'Memory used %',
        width: 10,
        value: (r) => (r.memoryUsedPercent === null ? null : r.memoryUsedPercent / 100),
        numFmt: '0.0%',
      },
      {
        header: 'Swap used %',
        width: 10,
        value: (r) => (r.swapUsedPercent === null ? null : r.swapUsedPercent / 100),
        numFmt: '0.0%',
      },
      { header: 'Max temperature °C', width: 12, value: (r) => r.maxTemperature, numFmt: '0.0' },
    ],
    model.resources,
    { thresholds: [{ column: 10, warn: 0.9, critical: 0.97 }] },
  );
}
