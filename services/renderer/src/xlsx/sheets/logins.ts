import { describeLoginSource } from '@infra-report/shared';
import type { ReportModel } from '../../report-model.js';
import { sheets } from '../../report-sections.js';
import { addSheet, dateFormat, severityFill, localTime, type Workbook } from '../workbook.js';

export function loginsSheet(workbook: Workbook, model: ReportModel): void {
  const local = localTime(model);

  addSheet(
    workbook,
    sheets.logins,
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
}

export function failedLoginsSheet(workbook: Workbook, model: ReportModel): void {
  const local = localTime(model);

  addSheet(
    workbook,
    sheets.failedLogins,
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
}

export function privilegeSheet(workbook: Workbook, model: ReportModel): void {
  const local = localTime(model);

  addSheet(
    workbook,
    sheets.privilege,
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
}
