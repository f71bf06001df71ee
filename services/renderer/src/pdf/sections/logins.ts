import { describeLoginSource } from '@infra-report/shared';
import { type ReportModel } from '../../report-model.js';
import { reportSections, sheets } from '../../report-sections.js';
import type { PdfColumn } from '../pdf-table.js';
import { type PdfWriter, severityFill, time, count, listWithCount } from '../pdf-writer.js';

export function loginSections(w: PdfWriter, model: ReportModel): void {
  w.heading(reportSections.logins.title);
  const acceptedColumns: PdfColumn<ReportModel['acceptedLogins'][number]>[] = [
    { header: 'Time', width: 84, text: (r) => time(model, r.time) },
    { header: 'Host', width: 95, text: (r) => r.host },
    { header: 'User', width: 100, text: (r) => r.user || '—' },
    { header: 'Source IP', width: 116, text: (r) => r.sourceIp || '—' },
    { header: 'Method', width: 80, text: (r) => r.method },
    {
      header: 'New',
      width: 40,
      text: (r) => (r.firstSeen === true ? 'NEW' : r.firstSeen === null ? '?' : ''),
      fill: (r) => (r.firstSeen ? severityFill.warning : undefined),
    },
  ];
  w.subheading('Accepted SSH logins');
  w.table(acceptedColumns, model.acceptedLogins, {
    emptyText: 'No accepted SSH logins in the window.',
    bound: {
      sheet: sheets.logins,
      first: (r) => r.firstSeen === true || r.user === 'root',
    },
  });
  w.subheading('Root logins');
  w.table(acceptedColumns, model.rootLogins, {
    emptyText: 'No root logins in the window.',
    bound: { sheet: sheets.logins },
  });
  w.subheading('Logins from addresses not seen in the previous 90 days');
  if (model.historyNote) w.note('Unknown: no login history to compare with.');
  else
    w.table(
      acceptedColumns,
      model.acceptedLogins.filter((l) => l.firstSeen === true),
      { emptyText: 'Every address was seen before.', bound: { sheet: sheets.logins } },
    );
  w.subheading('Failed SSH logins and probes by source, across hosts');
  w.table(
    [
      {
        header: 'Source',
        width: 118,
        text: (r: ReportModel['failedBySourceAcrossHosts'][number]) => describeLoginSource(r.sourceIp),
      },
      {
        header: 'Attempts',
        width: 52,
        align: 'right',
        text: (r) => count(r.attempts),
        fill: (r) =>
          r.attempts >= model.thresholds.failedLoginsWarn * r.hosts.length ? severityFill.warning : undefined,
      },
      { header: 'Invalid', width: 44, align: 'right', text: (r) => count(r.invalidUserAttempts) },
      { header: 'Probes', width: 44, align: 'right', text: (r) => count(r.probes) },
      { header: 'Hosts', width: 38, align: 'right', text: (r) => count(r.hosts.length) },
      {
        header: 'Users tried',
        width: 135,
        text: (r) =>
          listWithCount(
            r.users.map((u) => u || '—'),
            'names',
          ),
      },
      { header: 'Last seen', width: 84, text: (r) => time(model, r.lastAttempt) },
    ],
    model.failedBySourceAcrossHosts,
    {
      emptyText: 'No failed SSH logins or probes in the window.',
      bound: {
        sheet: sheets.failedLogins,
        // A busy scanner is shown beside the password guessers, whatever its place by attempts.
        first: (r) =>
          r.attempts >= model.thresholds.failedLoginsWarn * r.hosts.length ||
          r.probes >= model.thresholds.failedLoginsWarn * r.hosts.length,
      },
    },
  );
  w.note(
    'Attempts: rejected passwords, keys and other methods, refused users (invalid, AllowUsers/DenyUsers, root login) and PAM failures reported by sshd, one per try. Probes: connections that ended before a login (scans, pre-auth disconnects), one per connection. The XLSX has one row per host and source.',
  );
  w.subheading('Failed SSH logins by user name');
  w.table(
    [
      { header: 'User', width: 130, text: (r: ReportModel['failedByUser'][number]) => r.user || '—' },
      { header: 'Attempts', width: 55, align: 'right', text: (r) => count(r.attempts) },
      { header: 'Exists', width: 45, text: (r) => (r.invalid ? 'no' : 'yes') },
      { header: 'Sources', width: 50, align: 'right', text: (r) => count(r.sources) },
      { header: 'Hosts', width: 235, text: (r) => listWithCount(r.hosts, 'hosts') },
    ],
    model.failedByUser,
    { emptyText: 'No failed SSH logins in the window.', bound: { limit: 30, sheet: sheets.failedLogins } },
  );
  w.subheading('sudo and su');
  w.table(
    [
      { header: 'Time', width: 84, text: (r: ReportModel['privilege'][number]) => time(model, new Date(r.time)) },
      { header: 'Host', width: 80, text: (r) => r.host },
      { header: 'Tool', width: 30, text: (r) => r.tool },
      { header: 'User', width: 70, text: (r) => r.user },
      { header: 'As', width: 50, text: (r) => r.asUser },
      {
        header: 'Command / result',
        width: 201,
        text: (r) => (r.success ? (r.command ?? 'session') : `FAILED: ${r.failure ?? ''}`),
        fill: (r) => (r.success ? undefined : severityFill.warning),
      },
    ],
    model.privilege,
    { emptyText: 'No sudo or su use in the window.', bound: { sheet: sheets.privilege, first: (r) => !r.success } },
  );
}
