import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describeLoginSource, wallClock } from '@infra-report/shared';
import { printable } from '@infra-report/shared';
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
  addSheet(
    workbook,
    'Summary',
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

  addSheet(
    workbook,
    'Overview',
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

  addSheet(
    workbook,
    'Alerts',
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

  addSheet(
    workbook,
    'Alerts Fired',
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
  const changes = model.sinceYesterday;
  addSheet(
    workbook,
    'Since Yesterday',
    [
      { header: 'Change', width: 26, value: (r: [string, string, string]) => r[0] },
      { header: 'Host', width: 24, value: (r) => r[1] },
      { header: 'Detail', width: 60, value: (r) => r[2] },
    ],
    changes.known
      ? [
          ...changes.newHosts.map((h): [string, string, string] => ['new host', h, '']),
          ...changes.goneHosts.map((h): [string, string, string] => ['host gone', h, '']),
          ...changes.grownDisks.map((d): [string, string, string] => [
            'disk grew',
            d.host,
            `${d.mount}: ${d.from}% → ${d.to}%`,
          ]),
          ...changes.newPorts.map((p): [string, string, string] => [
            'new listening port',
            p.host,
            `${p.port} (${p.addresses.join(', ')})`,
          ]),
          ...changes.newLoginSources.map((l): [string, string, string] => [
            'login from a new address',
            l.host,
            `${l.source} (user ${l.user})`,
          ]),
        ]
      : [['unknown', '', 'no history in InfluxDB to compare with']],
  );

  addSheet(
    workbook,
    'Hosts',
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

  const diskRows = model.disks;
  addSheet(
    workbook,
    'Disk Usage',
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

  addSheet(
    workbook,
    'User Logins',
    [
      {
        header: 'Time',
        width: 20,
        value: (r: ReportModel['acceptedLogins'][number]) => local(r.time),
        numFmt: dateFormat,
      },
      { header: 'Host', width: 24, value: (r) => r.host },
      { header: 'User', width: 20, value: (r) => r.user },
      { header: 'Source IP', width: 40, value: (r) => r.sourceIp },
      { header: 'Method', width: 20, value: (r) => r.method },
      { header: 'First seen', width: 10, value: (r) => r.firstSeen },
    ],
    model.acceptedLogins,
    { rowFill: (r) => (r.firstSeen ? severityFill.warning : undefined) },
  );

  addSheet(
    workbook,
    'Failed Logins',
    [
      { header: 'Host', width: 24, value: (r: ReportModel['failedBySource'][number]) => r.host },
      { header: 'Source', width: 40, value: (r) => describeLoginSource(r.sourceIp) },
      { header: 'Attempts', width: 10, value: (r) => r.attempts, numFmt: '0' },
      { header: 'Invalid-user attempts', width: 12, value: (r) => r.invalidUserAttempts, numFmt: '0' },
      { header: 'Probes (scans, pre-auth disconnects)', width: 14, value: (r) => r.probes, numFmt: '0' },
      { header: 'Users tried', width: 50, value: (r) => r.users.join(', ') },
      { header: 'First seen', width: 20, value: (r) => local(r.firstAttempt), numFmt: dateFormat },
      { header: 'Last seen', width: 20, value: (r) => local(r.lastAttempt), numFmt: dateFormat },
    ],
    model.failedBySource,
    {
      thresholds: [
        { column: 3, warn: model.thresholds.failedLoginsWarn, critical: model.thresholds.failedLoginsWarn * 10 },
      ],
    },
  );

  addSheet(
    workbook,
    'Uptime',
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

  const kernelCount = (
    r: ReportModel['health'][number],
    kind: keyof NonNullable<ReportModel['health'][number]['kernel']>,
  ) => (r.kernel === null ? null : (r.kernel[kind] ?? 0));
  addSheet(
    workbook,
    'Health',
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
      { header: 'Clock synchronised', width: 10, value: (r) => r.clockSynchronized },
      { header: 'Clock detail', width: 30, value: (r) => r.clockDetail },
    ],
    model.health,
  );

  addSheet(
    workbook,
    'Certificates',
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

  addSheet(
    workbook,
    'Resources',
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

  addSheet(
    workbook,
    'Security',
    [
      { header: 'Host', width: 24, value: (r: ReportModel['security'][number]) => r.host },
      { header: 'Severity', width: 10, value: (r) => r.severity },
      { header: 'Kind', width: 20, value: (r) => r.kind },
      { header: 'Finding', width: 100, value: (r) => r.message },
    ],
    model.security,
    { rowFill: (r) => severityFill[r.severity] },
  );

  addSheet(
    workbook,
    'Privilege Use',
    [
      {
        header: 'Time',
        width: 20,
        value: (r: ReportModel['privilege'][number]) => local(new Date(r.time)),
        numFmt: dateFormat,
      },
      { header: 'Host', width: 24, value: (r) => r.host },
      { header: 'Tool', width: 6, value: (r) => r.tool },
      { header: 'User', width: 16, value: (r) => r.user },
      { header: 'As user', width: 12, value: (r) => r.asUser },
      { header: 'Command', width: 60, value: (r) => r.command },
      { header: 'TTY', width: 10, value: (r) => r.tty },
      { header: 'Success', width: 8, value: (r) => r.success },
      { header: 'Failure', width: 30, value: (r) => r.failure },
    ],
    model.privilege,
    { rowFill: (r) => (r.success ? undefined : severityFill.warning) },
  );

  addSheet(
    workbook,
    'Processes',
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

  addSheet(
    workbook,
    'Backups',
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

  addSheet(
    workbook,
    'Unreachable Hosts',
    [
      { header: 'Host', width: 24, value: (r: ReportModel['unreachable'][number]) => r.host },
      { header: 'Address', width: 20, value: (r) => r.address },
      { header: 'Reason', width: 110, value: (r) => r.reason },
    ],
    model.unreachable,
  );

  addSheet(
    workbook,
    'Errors',
    [
      { header: 'Host', width: 24, value: (r: ReportModel['problems'][number]) => r.host },
      { header: 'Probe', width: 12, value: (r) => r.probe },
      { header: 'Problem', width: 110, value: (r) => r.message },
    ],
    [...model.unreachable.map((u) => ({ host: u.host, probe: 'connection', message: u.reason })), ...model.problems],
  );

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
  options: {
    rowFill?: (row: Row) => string | undefined;
    cellFormat?: (value: unknown) => string | undefined;
    /** Real conditional formatting (it follows edits in Excel): amber from `warn`, red from `critical`. */
    thresholds?: { column: number; warn: number; critical: number }[];
  } = {},
): void {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    header: c.header,
    width: c.width,
    style: c.numFmt ? { numFmt: c.numFmt } : {},
  }));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  const header = sheet.getRow(1);
  header.font = { bold: true, color: { argb: 'FFFFFFFF' } };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F3B57' } };
  header.commit();
  for (const row of rows) {
    const values = columns.map((c) => safeCellValue(c.value(row)));
    const added = sheet.addRow(values);
    const fill = options.rowFill?.(row);
    // Number formats come from the column style; only exceptions and fills touch single cells
    // (a style object per cell is what makes large workbooks slow and big).
    columns.forEach((column, index) => {
      const format = column.numFmt ? undefined : options.cellFormat?.(values[index]);
      if (!format && !fill) return;
      const cell = added.getCell(index + 1);
      if (format) cell.numFmt = format;
      if (fill) cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fill } };
    });
    added.commit();
  }
  if (rows.length > 0) {
    for (const t of options.thresholds ?? []) {
      const letter = columnLetter(t.column);
      sheet.addConditionalFormatting({
        ref: `${letter}2:${letter}${rows.length + 1}`,
        rules: [
          {
            type: 'cellIs',
            operator: 'greaterThan',
            formulae: [String(t.critical - 1e-9)],
            priority: 1,
            style: { fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: 'FFF8C9C4' } } },
          },
          {
            type: 'cellIs',
            operator: 'greaterThan',
            formulae: [String(t.warn - 1e-9)],
            priority: 2,
            style: { fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: 'FFFBE6B0' } } },
          },
        ],
      });
    }
  }
  sheet.commit();
}

/**
 * Strings go in as plain string values (exceljs writes formulas only from { formula } objects);
 * control characters, which XML 1.0 cannot carry, are shown in caret notation, so a hostile log
 * line can neither corrupt the file nor hide in it. Excel's cell limit is 32,767 characters.
 */
function safeCellValue(value: string | number | boolean | Date | null): string | number | boolean | Date | null {
  if (typeof value === 'string')
    return printable(value)
      .replace(/[\ufffe\uffff]/g, '\ufffd')
      .slice(0, 32767);
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

function columnLetter(index: number): string {
  let n = index;
  let out = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** Excel dates have no time zone: store the wall-clock time of the report's zone. */
export function asLocalWallTime(instant: Date, timezone: string): Date {
  const c = wallClock(instant, timezone);
  return new Date(Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second));
}
