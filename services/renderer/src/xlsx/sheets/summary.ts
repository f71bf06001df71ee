import type { ReportModel } from '../../report-model.js';
import { sheets } from '../../report-sections.js';
import { addSheet, dateFormat, severityFill, localTime, type Workbook } from '../workbook.js';

export function summarySheet(workbook: Workbook, model: ReportModel): void {
  const local = localTime(model);

  const s = model.summary;
  addSheet(
    workbook,
    sheets.summary,
    [
      { header: 'Item', width: 28, value: (r: [string, string | number | Date | null]) => r[0] },
      { header: 'Value', width: 60, value: (r) => r[1] },
    ],
    [
      ['Title', model.title],
      ['Company', model.company ?? null],
      ['Report date', model.run.reportDate],
      ['Window start', local(new Date(model.run.windowStart))],
      ['Window end', local(new Date(model.run.windowEnd))],
      ['Time zone', model.timezone],
      ['Run id', model.run.runId],
      ['Hosts', s.hostsTotal],
      ['Hosts reporting', s.hostsReporting],
      ['Hosts unreachable', s.hostsUnreachable],
      ['Critical items', s.critical],
      ['Warnings', s.warning],
      ['Hosts rebooted in the window', s.rebooted],
      ['Filesystems', s.filesystems],
      ['Accepted SSH logins', s.acceptedLogins],
      ['Logins from new addresses', s.newSourceIps],
      ['Failed SSH logins', s.failedLogins],
      ['History', model.historyNote ?? 'compared with InfluxDB history'],
    ],
    { cellFormat: (value) => (value instanceof Date ? dateFormat : undefined) },
  );
}

export function overviewSheet(workbook: Workbook, model: ReportModel): void {
  addSheet(
    workbook,
    sheets.overview,
    [
      { header: 'Severity', width: 10, value: (r: ReportModel['rollups'][number]) => r.severity },
      { header: 'Finding', width: 70, value: (r) => r.title },
      { header: 'Kind', width: 18, value: (r) => r.kind },
      { header: 'Subject', width: 30, value: (r) => r.subject },
      { header: 'Hosts', width: 8, value: (r) => r.hosts.length, numFmt: '#,##0' },
      {
        header: 'Total',
        width: 10,
        value: (r) =>
          r.items.some((i) => i.amount !== null) ? r.items.reduce((n, i) => n + (i.amount ?? 0), 0) : null,
        numFmt: '#,##0',
      },
      { header: 'Items', width: 8, value: (r) => r.items.length, numFmt: '#,##0' },
      { header: 'Where', width: 60, value: (r) => r.examples },
      { header: 'All hosts', width: 60, value: (r) => r.hosts.join(', ') },
    ],
    model.rollups,
    { rowFill: (r) => severityFill[r.severity] },
  );
}

export function hostsSheet(workbook: Workbook, model: ReportModel): void {
  addSheet(
    workbook,
    sheets.hosts,
    [
      { header: 'Host', width: 24, value: (r: ReportModel['hosts'][number]) => r.host },
      { header: 'Address', width: 18, value: (r) => r.address },
      { header: 'Groups', width: 20, value: (r) => r.groups.join(', ') },
      { header: 'Status', width: 12, value: (r) => r.status },
      { header: 'Critical', width: 9, value: (r) => r.critical, numFmt: '0' },
      { header: 'Warnings', width: 9, value: (r) => r.warnings, numFmt: '0' },
      { header: 'Detail', width: 70, value: (r) => r.detail },
    ],
    model.hosts,
    { rowFill: (r) => (r.status === 'unreachable' ? severityFill.critical : undefined) },
  );
}
