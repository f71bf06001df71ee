import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { printable } from '../printable.js';
import type { ReportModel, Severity } from '../report-model.js';

interface SheetColumn<Row> {
  header: string;
  width: number;
  value: (row: Row) => string | number | boolean | Date | null;
  numFmt?: string;
}

const bytesFormat = '#,##0';
const percentFormat = '0%';
const dateFormat = 'yyyy-mm-dd hh:mm:ss';
const severityFill: Record<Severity, string | undefined> = { critical: 'FFF8C9C4', warning: 'FFFBE6B0', ok: undefined };

/**
 * Renders the report model as an XLSX with the streaming writer (rows are committed as they
 * are written, so memory stays bounded for large fleets). Collected text is always written as
 * a string value: a username like "=HYPERLINK(...)" stays text, never a formula.
 */
export async function renderXlsx(model: ReportModel): Promise<Buffer> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  workbook.creator = 'infra-report';
  workbook.created = model.generatedAt;
  const local = (d: Date | null) => (d ? asLocalWallTime(d, model.timezone) : null);

  const s = model.summary;
  addSheet(workbook, 'Summary', [
    { header: 'Item', width: 28, value: (r: [string, string | number | Date]) => r[0] },
    { header: 'Value', width: 40, value: (r) => r[1], numFmt: undefined },
  ], [
    ['Title', model.title],
    ['Report date', model.run.reportDate],
    ['Window start', local(new Date(model.run.windowStart)) as Date],
    ['Window end', local(new Date(model.run.windowEnd)) as Date],
    ['Time zone', model.timezone],
    ['Run id', model.run.runId],
    ['Hosts', s.hostsTotal],
    ['Hosts reporting', s.hostsReporting],
    ['Hosts unreachable', s.hostsUnreachable],
    ['Critical items', s.critical],
    ['Warnings', s.warning],
    ['Filesystems', s.filesystems],
    ['Accepted SSH logins', s.acceptedLogins],
    ['Failed SSH logins', s.failedLogins],
  ], { cellFormat: (value) => (value instanceof Date ? dateFormat : undefined) });

  addSheet(workbook, 'Alerts', [
    { header: 'Severity', width: 10, value: (r: ReportModel['attention'][number]) => r.severity },
    { header: 'Host', width: 24, value: (r) => r.host },
    { header: 'Category', width: 12, value: (r) => r.category },
    { header: 'Issue', width: 90, value: (r) => r.message },
  ], model.attention, { rowFill: (r) => severityFill[r.severity] });

  addSheet(workbook, 'Hosts', [
    { header: 'Host', width: 24, value: (r: ReportModel['hosts'][number]) => r.host },
    { header: 'Address', width: 18, value: (r) => r.address },
    { header: 'Groups', width: 20, value: (r) => r.groups.join(', ') },
    { header: 'Status', width: 12, value: (r) => r.status },
    { header: 'Detail', width: 70, value: (r) => r.detail },
  ], model.hosts, { rowFill: (r) => (r.status === 'unreachable' ? severityFill.critical : undefined) });

  addSheet(workbook, 'Disk Usage', [
    { header: 'Host', width: 24, value: (r: ReportModel['disks'][number]) => r.host },
    { header: 'Mount', width: 28, value: (r) => r.mount },
    { header: 'Device', width: 24, value: (r) => r.device },
    { header: 'Type', width: 10, value: (r) => r.fsType },
    { header: 'Size (bytes)', width: 18, value: (r) => r.sizeBytes, numFmt: bytesFormat },
    { header: 'Used (bytes)', width: 18, value: (r) => r.usedBytes, numFmt: bytesFormat },
    { header: 'Available (bytes)', width: 18, value: (r) => r.availableBytes, numFmt: bytesFormat },
    { header: 'Used %', width: 9, value: (r) => r.usedPercent / 100, numFmt: percentFormat },
    { header: 'Severity', width: 10, value: (r) => r.severity },
  ], model.disks, { rowFill: (r) => severityFill[r.severity] });

  addSheet(workbook, 'User Logins', [
    { header: 'Time', width: 20, value: (r: ReportModel['acceptedLogins'][number]) => local(r.time), numFmt: dateFormat },
    { header: 'Host', width: 24, value: (r) => r.host },
    { header: 'User', width: 20, value: (r) => r.user },
    { header: 'Source IP', width: 40, value: (r) => r.sourceIp },
    { header: 'Method', width: 20, value: (r) => r.method },
  ], model.acceptedLogins);

  addSheet(workbook, 'Failed Logins', [
    { header: 'Host', width: 24, value: (r: ReportModel['failedBySource'][number]) => r.host },
    { header: 'Source IP', width: 40, value: (r) => r.sourceIp },
    { header: 'Attempts', width: 10, value: (r) => r.attempts, numFmt: '0' },
    { header: 'Invalid-user attempts', width: 12, value: (r) => r.invalidUserAttempts, numFmt: '0' },
    { header: 'Users tried', width: 50, value: (r) => r.users.join(', ') },
    { header: 'First attempt', width: 20, value: (r) => local(r.firstAttempt), numFmt: dateFormat },
    { header: 'Last attempt', width: 20, value: (r) => local(r.lastAttempt), numFmt: dateFormat },
  ], model.failedBySource, { rowFill: (r) => (r.attempts >= model.thresholds.failedLoginsWarn ? severityFill.warning : undefined) });

  addSheet(workbook, 'System Uptime', [
    { header: 'Host', width: 24, value: (r: ReportModel['uptime'][number]) => r.host },
    { header: 'OS', width: 32, value: (r) => r.os },
    { header: 'Kernel', width: 24, value: (r) => r.kernel },
    { header: 'Uptime (days)', width: 14, value: (r) => (r.uptimeSeconds === null ? null : r.uptimeSeconds / 86400), numFmt: '0.00' },
    { header: 'Boot time', width: 20, value: (r) => local(r.bootTime), numFmt: dateFormat },
    { header: 'Rebooted in window', width: 12, value: (r) => r.rebootedInWindow },
    { header: 'Load 1m', width: 9, value: (r) => r.load1, numFmt: '0.00' },
    { header: 'CPUs', width: 7, value: (r) => r.cpuCount, numFmt: '0' },
    { header: 'Memory used %', width: 10, value: (r) => (r.memoryUsedPercent === null ? null : r.memoryUsedPercent / 100), numFmt: '0.0%' },
  ], model.uptime, { rowFill: (r) => (r.rebootedInWindow ? severityFill.warning : undefined) });

  addSheet(workbook, 'Unreachable Hosts', [
    { header: 'Host', width: 24, value: (r: ReportModel['unreachable'][number]) => r.host },
    { header: 'Address', width: 20, value: (r) => r.address },
    { header: 'Reason', width: 110, value: (r) => r.reason },
  ], model.unreachable);

  addSheet(workbook, 'Security', [
    { header: 'Host', width: 24, value: (r: ReportModel['security'][number]) => r.host },
    { header: 'Severity', width: 10, value: (r) => r.severity },
    { header: 'Kind', width: 20, value: (r) => r.kind },
    { header: 'Finding', width: 100, value: (r) => r.message },
  ], model.security, { rowFill: (r) => severityFill[r.severity] });

  addSheet(workbook, 'Errors', [
    { header: 'Host', width: 24, value: (r: ReportModel['problems'][number]) => r.host },
    { header: 'Probe', width: 12, value: (r) => r.probe },
    { header: 'Problem', width: 110, value: (r) => r.message },
  ], model.problems);

  const done = new Promise<void>((resolve, reject) => {
    output.on('end', resolve);
    output.on('error', reject);
  });
  await workbook.commit();
  await done;
  return Buffer.concat(chunks);
}

function addSheet<Row>(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  name: string,
  columns: SheetColumn<Row>[],
  rows: Row[],
  options: { rowFill?: (row: Row) => string | undefined; cellFormat?: (value: unknown) => string | undefined } = {},
): void {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ header: c.header, width: c.width, style: c.numFmt ? { numFmt: c.numFmt } : {} }));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  const header = sheet.getRow(1);
  header.font = { bold: true, color: { argb: 'FFFFFFFF' } };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F3B57' } };
  header.commit();
  for (const row of rows) {
    const values = columns.map((c) => safeCellValue(c.value(row)));
    const added = sheet.addRow(values);
    const fill = options.rowFill?.(row);
    columns.forEach((column, index) => {
      const cell = added.getCell(index + 1);
      const format = column.numFmt ?? options.cellFormat?.(values[index]);
      if (format) cell.numFmt = format;
      if (fill) cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fill } };
    });
    added.commit();
  }
  sheet.commit();
}

/**
 * Strings go in as plain string values (exceljs writes formulas only from { formula } objects);
 * control characters, which XML 1.0 cannot carry, are shown in caret notation, so a hostile log
 * line can neither corrupt the file nor hide in it. Excel's cell limit is 32,767 characters.
 */
function safeCellValue(value: string | number | boolean | Date | null): string | number | boolean | Date | null {
  if (typeof value === 'string') return printable(value).replace(/[\ufffe\uffff]/g, '\ufffd').slice(0, 32767);
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

/** Excel dates have no time zone: store the wall-clock time of the report's zone. */
export function asLocalWallTime(instant: Date, timezone: string): Date {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return new Date(Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')));
}
