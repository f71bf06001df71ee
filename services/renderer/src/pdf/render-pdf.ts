import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { describeLoginSource, type HostSnapshot } from '@infra-report/shared';
import { printable } from '@infra-report/shared';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatTime,
  isExpectedCondition,
  type DiskRow,
  type ReportModel,
  type Severity,
} from '../report-model.js';
import { registerFonts, type PdfFonts } from './fonts.js';
import { drawTable, type PdfColumn } from './pdf-table.js';

// Set per rendering; the section functions below draw with it.
let fonts: PdfFonts;

const severityFill: Record<Severity, string | undefined> = { critical: '#f8c9c4', warning: '#fbe6b0', ok: undefined };
const severityColour: Record<Severity, string> = { critical: '#c0392b', warning: '#d68910', ok: '#1e8449' };
const pageWidth = 515;
const attentionOnSummary = 25;

type Doc = PDFKit.PDFDocument;

/** Renders the report model as a PDF: a summary page first, then one section per topic. */
export async function renderPdf(model: ReportModel): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 50, bottom: 50, left: 40, right: 40 },
    // Pages are kept until the end to write "page N of M"; the report is bounded (a few dozen pages
    // at any fleet size), so this costs little.
    bufferPages: true,
    autoFirstPage: false,
    info: {
      Title: `${model.title} - ${model.run.reportDate}`,
      Author: model.company ?? 'infra-report',
      Creator: 'infra-report',
    },
  });
  fonts = registerFonts(doc, model.cjkFontFile);
  doc.font('Sans');

  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.addPage();

  const on = (section: Parameters<ReportModel['sections']['has']>[0]) => model.sections.has(section);
  if (on('summary')) summaryPage(doc, model, on);
  if (on('alerts') && alertsSectionShown(model, on('summary'))) alertsSection(doc, model, on('summary'));
  if (on('changes')) changesSection(doc, model);
  if (on('disks')) diskSection(doc, model);
  if (on('logins')) loginSections(doc, model);
  if (on('uptime')) uptimeSection(doc, model);
  if (on('health')) healthSection(doc, model);
  if (on('resources')) resourceSection(doc, model);
  if (on('security')) securitySection(doc, model);
  if (on('processes')) processSection(doc, model);
  if (on('backups') && model.backups.length > 0) backupSection(doc, model);
  if (on('unreachable')) unreachableSection(doc, model);
  if (on('errors') && model.problems.length > 0) problemSection(doc, model);
  if (on('appendix') && model.appendixHosts.length > 0) appendix(doc, model);

  writeFooters(doc, model);
  doc.end();
  return finished;
}

/** "title – date – page N of M" on every page, written once the page count is known. */
function writeFooters(doc: Doc, model: ReportModel): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('Sans')
      .fontSize(8)
      .fillColor('#555555')
      .text(
        `${printable(model.title)} – ${model.run.reportDate} – page ${i + 1} of ${range.count}`,
        doc.page.margins.left,
        doc.page.height - 30,
        { width: pageWidth, align: 'center', lineBreak: false },
      );
    doc.page.margins.bottom = bottom;
  }
}

/** The sections in order, with the anchor their heading sets: the summary page links to them. */
const sectionTitles: [Parameters<ReportModel['sections']['has']>[0], string][] = [
  ['alerts', 'Alerts'],
  ['changes', 'Changed since yesterday'],
  ['disks', 'Disk Usage'],
  ['logins', 'User Logins'],
  ['uptime', 'System Uptime and Reboots'],
  ['health', 'Kernel, Updates and Clock'],
  ['resources', 'Resources'],
  ['security', 'Security Findings'],
  ['processes', 'Processes and Failed Units'],
  ['backups', 'Backups'],
  ['unreachable', 'Unreachable Hosts'],
  ['errors', 'Collection Problems'],
  ['appendix', 'Appendix: hosts'],
];
const anchorOf = (title: string) => `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;

const time = (model: ReportModel, d: Date | null) => (d ? formatTime(d, model.timezone) : '—');
const num = (n: number | null, digits = 0) => (n === null ? '—' : digits === 0 ? formatCount(n) : n.toFixed(digits));
const count = (n: number) => formatCount(n);

/** How a per-host table stays short at any fleet size. */
interface RowBound<Row> {
  /** At most this many rows (default 40). */
  limit?: number;
  /** The XLSX sheet that has every row, named in the note. */
  sheet: string;
  /** Rows that need attention: shown first. */
  first?: (row: Row) => boolean;
}
const rowsPerTable = 40;

/** The rows a bounded table shows, and the note that says how many more the XLSX holds. */
function limitRows<Row>(rows: Row[], bound: RowBound<Row>): { shown: Row[]; note: string | null } {
  const limit = bound.limit ?? rowsPerTable;
  if (rows.length <= limit) return { shown: rows, note: null };
  const first = bound.first;
  const ordered = first ? [...rows.filter(first), ...rows.filter((r) => !first(r))] : rows;
  return {
    shown: ordered.slice(0, limit),
    note: `${count(rows.length - limit)} more row(s) not shown (${first ? 'those needing attention come first' : 'the first ones are shown'}); the XLSX sheet "${bound.sheet}" has all ${count(rows.length)}.`,
  };
}
const pct = (n: number | null) => (n === null ? '—' : `${n.toFixed(1)}%`);

function summaryPage(
  doc: Doc,
  model: ReportModel,
  on: (section: Parameters<ReportModel['sections']['has']>[0]) => boolean,
): void {
  if (model.logoFile && existsSync(model.logoFile)) {
    try {
      doc.image(model.logoFile, doc.page.width - 40 - 120, 40, { fit: [120, 45], align: 'right' });
    } catch {
      // An unreadable logo must not cost the report; the title carries on without it.
    }
  }
  doc
    .font(fonts.forText(model.title, 'bold'))
    .fontSize(20)
    .fillColor('#000000')
    .text(printable(model.title), 40, 50, { width: 380 });
  if (model.company)
    doc
      .font(fonts.forText(model.company))
      .fontSize(11)
      .fillColor('#555555')
      .text(printable(model.company))
      .fillColor('#000000');
  doc
    .moveDown(0.3)
    .font('Sans')
    .fontSize(10)
    .text(
      `Report date: ${model.run.reportDate}    Window: ${time(model, new Date(model.run.windowStart))} – ${time(model, new Date(model.run.windowEnd))} (${model.timezone})`,
    )
    .text(`Generated: ${time(model, model.generatedAt)} (${model.timezone})    Run: ${model.run.runId}`);
  if (model.historyNote)
    doc
      .font('Sans-Oblique')
      .fontSize(8)
      .fillColor('#555555')
      .text(printable(model.historyNote))
      .fillColor('#000000')
      .font('Sans');
  doc.moveDown(0.8);
  const s = model.summary;
  table(
    doc,
    [
      { header: 'Hosts', width: 38, align: 'right', text: (r: typeof s) => count(r.hostsTotal) },
      { header: 'Reporting', width: 55, align: 'right', text: (r) => count(r.hostsReporting) },
      {
        header: 'Unreachable',
        width: 66,
        align: 'right',
        text: (r) => count(r.hostsUnreachable),
        fill: (r) => (r.hostsUnreachable > 0 ? severityFill.critical : undefined),
      },
      {
        header: 'Critical',
        width: 42,
        align: 'right',
        text: (r) => count(r.critical),
        fill: (r) => (r.critical > 0 ? severityFill.critical : undefined),
      },
      {
        header: 'Warnings',
        width: 50,
        align: 'right',
        text: (r) => count(r.warning),
        fill: (r) => (r.warning > 0 ? severityFill.warning : undefined),
      },
      { header: 'Rebooted', width: 50, align: 'right', text: (r) => count(r.rebooted) },
      { header: 'Filesystems', width: 62, align: 'right', text: (r) => count(r.filesystems) },
      { header: 'Logins', width: 38, align: 'right', text: (r) => count(r.acceptedLogins) },
      {
        header: 'New IPs',
        width: 42,
        align: 'right',
        text: (r) => count(r.newSourceIps),
        fill: (r) => (r.newSourceIps > 0 ? severityFill.warning : undefined),
      },
      { header: 'Failed logins', width: 72, align: 'right', text: (r) => count(r.failedLogins) },
    ],
    [s],
  );
  if (model.groupSummary.length > 1) {
    subheading(doc, 'By host group');
    table(
      doc,
      [
        { header: 'Group', width: 175, text: (r: ReportModel['groupSummary'][number]) => r.group },
        { header: 'Hosts', width: 60, align: 'right', text: (r) => String(r.hosts) },
        { header: 'Reporting', width: 70, align: 'right', text: (r) => String(r.reporting) },
        {
          header: 'Unreachable',
          width: 70,
          align: 'right',
          text: (r) => String(r.unreachable),
          fill: (r) => (r.unreachable > 0 ? severityFill.critical : undefined),
        },
        {
          header: 'Critical',
          width: 70,
          align: 'right',
          text: (r) => String(r.critical),
          fill: (r) => (r.critical > 0 ? severityFill.critical : undefined),
        },
        {
          header: 'Warnings',
          width: 70,
          align: 'right',
          text: (r) => String(r.warnings),
          fill: (r) => (r.warnings > 0 ? severityFill.warning : undefined),
        },
      ],
      model.groupSummary,
    );
  }
  heading(doc, 'Needs attention');
  note(
    doc,
    `${count(model.attention.length)} item(s) on ${count(new Set(model.attention.map((a) => a.host)).size)} host(s), as ${count(model.rollups.length)} finding(s) across the fleet, most severe and broadest first.`,
  );
  rollupTable(doc, model.rollups.slice(0, attentionOnSummary));
  if (model.rollups.length > attentionOnSummary)
    note(
      doc,
      `${count(model.rollups.length - attentionOnSummary)} more finding(s) in the Alerts section; the XLSX's Alerts sheet lists every item per host.`,
    );
  // Links to the sections, in three columns (the outline has them too).
  const contents = sectionTitles.filter(
    ([section]) => on(section) && (section !== 'alerts' || alertsSectionShown(model, true)),
  );
  if (contents.length > 0) {
    if (doc.y > doc.page.height - 120) doc.addPage();
    doc.moveDown(0.5).font('Sans-Bold').fontSize(9).text('Sections', doc.page.margins.left);
    const top = doc.y + 2;
    const rows = Math.ceil(contents.length / 3);
    doc.font('Sans').fontSize(9).fillColor('#1f3b57');
    contents.forEach(([, title], i) =>
      doc.text(title, doc.page.margins.left + Math.floor(i / rows) * 172, top + (i % rows) * 12, {
        width: 168,
        lineBreak: false,
        underline: true,
        goTo: anchorOf(title),
      }),
    );
    doc.fillColor('#000000');
    doc.x = doc.page.margins.left;
    doc.y = top + rows * 12;
  }
}

/** Findings across the fleet, one row each: what, how broad, and a few hosts with their detail. */
function rollupTable(
  doc: Doc,
  rollups: ReportModel['rollups'],
  options: { bound?: RowBound<ReportModel['rollups'][number]> } = {},
): void {
  table(
    doc,
    [
      {
        header: 'Severity',
        width: 55,
        text: (r: ReportModel['rollups'][number]) => r.severity.toUpperCase(),
        fill: (r) => severityFill[r.severity],
      },
      { header: 'Finding', width: 250, text: (r) => r.title },
      { header: 'Hosts', width: 35, align: 'right', text: (r) => count(r.hosts.length) },
      { header: 'Where', width: 175, text: (r) => r.examples },
    ],
    rollups,
    { emptyText: 'Nothing needs attention.', ...options },
  );
}

/** With a summary page, the Alerts section is there for what the summary could not show. */
function alertsSectionShown(model: ReportModel, summary: boolean): boolean {
  return !summary || model.rollups.length > attentionOnSummary || model.alertsFired.length > 0;
}

function alertsSection(doc: Doc, model: ReportModel, summary: boolean): void {
  heading(doc, 'Alerts');
  if (!summary || model.rollups.length > attentionOnSummary)
    rollupTable(doc, model.rollups, { bound: { limit: 200, sheet: 'Alerts' } });
  subheading(doc, 'Immediate alerts since the last report');
  table(
    doc,
    [
      { header: 'Time', width: 80, text: (r: ReportModel['alertsFired'][number]) => formatTime(r.at, model.timezone) },
      { header: 'Host', width: 90, text: (r) => r.host },
      { header: 'State', width: 60, text: (r) => `${r.state}${r.silenced ? ' (silenced)' : ''}` },
      { header: 'Severity', width: 50, text: (r) => r.severity },
      { header: 'Alert', width: 235, text: (r) => r.message },
    ],
    model.alertsFired,
    {
      emptyText: 'No immediate alert fired or recovered in the report window.',
      bound: { limit: 200, sheet: 'Alerts Fired' },
    },
  );
}

function changesSection(doc: Doc, model: ReportModel): void {
  heading(doc, 'Changed since yesterday');
  const c = model.sinceYesterday;
  if (!c.known) {
    note(doc, 'Unknown: no history in InfluxDB to compare with.');
    return;
  }
  const rows = [
    ...c.newHosts.map((host) => ({ change: 'new host', host, detail: 'reported today, not in the two days before' })),
    ...c.goneHosts.map((host) => ({ change: 'host gone', host, detail: 'reported in the two days before, not today' })),
    ...c.grownDisks.map((d) => ({ change: 'disk grew', host: d.host, detail: `${d.mount}: ${d.from}% → ${d.to}%` })),
    ...c.newPorts.map((p) => ({
      change: 'new listening port',
      host: p.host,
      detail: `${p.port} (${p.addresses.join(', ')})`,
    })),
    ...c.newLoginSources.map((l) => ({
      change: 'login from a new address',
      host: l.host,
      detail: `${l.source} (user ${l.user})`,
    })),
  ];
  table(
    doc,
    [
      { header: 'Change', width: 130, text: (r: (typeof rows)[number]) => r.change },
      { header: 'Host', width: 110, text: (r) => r.host },
      { header: 'Detail', width: 275, text: (r) => r.detail },
    ],
    rows,
    {
      emptyText: 'No host came or went, no disk grew by more than 10 points, no new port or login address.',
      bound: { sheet: 'Since Yesterday' },
    },
  );
}

function diskSection(doc: Doc, model: ReportModel): void {
  heading(doc, 'Disk Usage');
  const bar = (d: Doc, row: DiskRow, x: number, y: number, width: number, height: number) => {
    const inner = width - 8;
    d.save()
      .rect(x + 4, y + 3, inner, height - 6)
      .lineWidth(0.5)
      .stroke('#7f8c8d');
    d.rect(x + 4, y + 3, (inner * Math.min(100, row.usedPercent)) / 100, height - 6).fill(severityColour[row.severity]);
    // Thresholds as tick marks on the bar.
    for (const threshold of [model.thresholds.diskWarnPercent, model.thresholds.diskCriticalPercent]) {
      const tx = x + 4 + (inner * threshold) / 100;
      d.moveTo(tx, y + 2)
        .lineTo(tx, y + height - 2)
        .lineWidth(0.5)
        .stroke('#34495e');
    }
    d.restore();
  };
  table(
    doc,
    [
      { header: 'Host', width: 72, text: (r: DiskRow) => r.host },
      { header: 'Mount', width: 82, text: (r) => r.mount },
      { header: 'Type', width: 36, text: (r) => r.fsType },
      { header: 'Size', width: 50, align: 'right', text: (r) => formatBytes(r.sizeBytes) },
      { header: 'Free', width: 50, align: 'right', text: (r) => formatBytes(r.availableBytes) },
      {
        header: 'Use%',
        width: 32,
        align: 'right',
        text: (r) => `${r.usedPercent}%`,
        fill: (r) => severityFill[r.severity],
      },
      {
        header: 'Prev',
        width: 30,
        align: 'right',
        text: (r) => (r.previousPercent === null ? '—' : `${Math.round(r.previousPercent)}%`),
      },
      {
        header: 'Inodes',
        width: 40,
        align: 'right',
        text: (r) => (r.inodesUsedPercent === null ? '—' : `${r.inodesUsedPercent}%`),
      },
      {
        header: 'Full in',
        width: 68,
        text: (r) => (r.daysUntilFull !== null ? `${Math.round(r.daysUntilFull)} days` : r.forecastNote),
      },
      { header: 'Usage', width: 55, text: () => '', draw: bar },
    ],
    model.disks,
    {
      emptyText: 'No filesystem data.',
      bound: {
        sheet: 'Disk Usage',
        first: (r) => r.severity !== 'ok' || r.daysUntilFull !== null,
      },
    },
  );
}

function loginSections(doc: Doc, model: ReportModel): void {
  heading(doc, 'User Logins');
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
  subheading(doc, 'Accepted SSH logins');
  table(doc, acceptedColumns, model.acceptedLogins, {
    emptyText: 'No accepted SSH logins in the window.',
    bound: {
      sheet: 'User Logins',
      first: (r) => r.firstSeen === true || r.user === 'root',
    },
  });
  subheading(doc, 'Root logins');
  table(doc, acceptedColumns, model.rootLogins, {
    emptyText: 'No root logins in the window.',
    bound: { sheet: 'User Logins' },
  });
  subheading(doc, 'Logins from addresses not seen in the previous 90 days');
  if (model.historyNote) note(doc, 'Unknown: no login history to compare with.');
  else
    table(
      doc,
      acceptedColumns,
      model.acceptedLogins.filter((l) => l.firstSeen === true),
      { emptyText: 'Every address was seen before.', bound: { sheet: 'User Logins' } },
    );
  subheading(doc, 'Failed SSH logins and probes by source, across hosts');
  table(
    doc,
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
        sheet: 'Failed Logins',
        // A busy scanner is shown beside the password guessers, whatever its place by attempts.
        first: (r) =>
          r.attempts >= model.thresholds.failedLoginsWarn * r.hosts.length ||
          r.probes >= model.thresholds.failedLoginsWarn * r.hosts.length,
      },
    },
  );
  note(
    doc,
    'Attempts: rejected passwords, keys and other methods, refused users (invalid, AllowUsers/DenyUsers, root login) and PAM failures reported by sshd, one per try. Probes: connections that ended before a login (scans, pre-auth disconnects), one per connection. The XLSX has one row per host and source.',
  );
  subheading(doc, 'Failed SSH logins by user name');
  table(
    doc,
    [
      { header: 'User', width: 130, text: (r: ReportModel['failedByUser'][number]) => r.user || '—' },
      { header: 'Attempts', width: 55, align: 'right', text: (r) => count(r.attempts) },
      { header: 'Exists', width: 45, text: (r) => (r.invalid ? 'no' : 'yes') },
      { header: 'Sources', width: 50, align: 'right', text: (r) => count(r.sources) },
      { header: 'Hosts', width: 235, text: (r) => listWithCount(r.hosts, 'hosts') },
    ],
    model.failedByUser,
    { emptyText: 'No failed SSH logins in the window.', bound: { limit: 30, sheet: 'Failed Logins' } },
  );
  subheading(doc, 'sudo and su');
  table(
    doc,
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
    { emptyText: 'No sudo or su use in the window.', bound: { sheet: 'Privilege Use', first: (r) => !r.success } },
  );
}

function uptimeSection(doc: Doc, model: ReportModel): void {
  heading(doc, 'System Uptime and Reboots');
  table(
    doc,
    [
      { header: 'Host', width: 80, text: (r: ReportModel['uptime'][number]) => r.host },
      { header: 'Group', width: 45, text: (r) => r.group },
      // Room for "Debian GNU/Linux 12 (bookworm)" and "Linux 6.1.0-27-amd64" uncut.
      { header: 'OS', width: 155, text: (r) => r.os ?? '—' },
      { header: 'Kernel', width: 100, text: (r) => r.kernel ?? '—' },
      {
        header: 'Uptime',
        width: 50,
        align: 'right',
        text: (r) => (r.uptimeSeconds === null ? '—' : formatDuration(r.uptimeSeconds)),
      },
      {
        header: 'Booted',
        width: 85,
        text: (r) => time(model, r.bootTime),
        fill: (r) => (r.rebootedInWindow ? severityFill.warning : undefined),
      },
    ],
    model.uptime,
    { emptyText: 'No host reported.', bound: { sheet: 'Uptime', first: (r) => r.rebootedInWindow } },
  );
}

function healthSection(doc: Doc, model: ReportModel): void {
  heading(doc, 'Kernel, Updates and Clock');
  const yesNo = (v: boolean | null) => (v === null ? '—' : v ? 'yes' : 'no');
  const kernelTrouble = (r: ReportModel['health'][number]) => Object.values(r.kernel ?? {}).some((n) => (n ?? 0) > 0);
  table(
    doc,
    [
      { header: 'Host', width: 90, text: (r: ReportModel['health'][number]) => r.host },
      {
        header: 'Kernel (in the window)',
        width: 175,
        text: (r) => (r.kernel === null ? 'not readable' : r.kernelDetail || 'nothing'),
        fill: (r) => (kernelTrouble(r) ? severityFill.warning : undefined),
      },
      {
        header: 'Updates',
        width: 48,
        align: 'right',
        text: (r) => (r.pendingUpdates === null ? '—' : count(r.pendingUpdates)),
      },
      {
        header: 'Security',
        width: 48,
        align: 'right',
        text: (r) => (r.securityUpdates === null ? '—' : count(r.securityUpdates)),
        fill: (r) => ((r.securityUpdates ?? 0) > 0 ? severityFill.warning : undefined),
      },
      {
        header: 'Reboot',
        width: 42,
        text: (r) => yesNo(r.rebootRequired),
        fill: (r) => (r.rebootRequired ? severityFill.warning : undefined),
      },
      {
        header: 'Clock synced',
        width: 112,
        text: (r) => `${yesNo(r.clockSynchronized)} (${r.clockDetail})`,
        fill: (r) => (r.clockSynchronized === false ? severityFill.warning : undefined),
      },
    ],
    model.health,
    {
      emptyText: 'No host reported.',
      bound: {
        sheet: 'Health',
        first: (r) =>
          kernelTrouble(r) ||
          (r.securityUpdates ?? 0) > 0 ||
          r.rebootRequired === true ||
          r.clockSynchronized === false,
      },
    },
  );
  note(
    doc,
    'Kernel: OOM kills, I/O and filesystem errors, segfaults, hung tasks and hardware errors from the journal or dmesg. Updates: simulated from the local package lists (apt) or the cached metadata (dnf, yum), never fetched; "—" where not checked.',
  );
  if (model.certificates.length === 0) return;
  subheading(doc, 'Certificates');
  table(
    doc,
    [
      { header: 'Host', width: 90, text: (r: ReportModel['certificates'][number]) => r.host },
      { header: 'Certificate', width: 140, text: (r) => r.target },
      { header: 'Subject', width: 125, text: (r) => r.subject ?? '—' },
      { header: 'Expires', width: 84, text: (r) => (r.error ? r.error : time(model, r.notAfter)) },
      {
        header: 'Days left',
        width: 76,
        align: 'right',
        text: (r) => (r.daysLeft === null ? '—' : count(r.daysLeft)),
        fill: (r) => severityFill[r.severity],
      },
    ],
    model.certificates,
    { bound: { sheet: 'Certificates', first: (r) => r.severity !== 'ok' } },
  );
}

function resourceSection(doc: Doc, model: ReportModel): void {
  heading(doc, 'Resources');
  table(
    doc,
    [
      { header: 'Host', width: 95, text: (r: ReportModel['resources'][number]) => r.host },
      { header: 'Group', width: 55, text: (r) => r.group },
      { header: 'CPUs', width: 32, align: 'right', text: (r) => num(r.cpuCount) },
      { header: 'CPU %', width: 42, align: 'right', text: (r) => pct(r.cpuPercent) },
      { header: 'iowait', width: 40, align: 'right', text: (r) => pct(r.iowaitPercent) },
      {
        header: 'Load 1/5/15',
        width: 80,
        align: 'right',
        text: (r) => (r.load1 === null ? '—' : `${num(r.load1, 2)} ${num(r.load5, 2)} ${num(r.load15, 2)}`),
        fill: (r) =>
          r.load5 !== null && r.cpuCount !== null && r.load5 > r.cpuCount ? severityFill.warning : undefined,
      },
      {
        header: 'Memory',
        width: 50,
        align: 'right',
        text: (r) => (r.memoryTotalBytes === null ? '—' : formatBytes(r.memoryTotalBytes)),
      },
      { header: 'Mem %', width: 42, align: 'right', text: (r) => pct(r.memoryUsedPercent) },
      { header: 'Swap', width: 40, align: 'right', text: (r) => pct(r.swapUsedPercent) },
      {
        header: 'Temp',
        width: 39,
        align: 'right',
        text: (r) => (r.maxTemperature === null ? 'n/a' : `${r.maxTemperature.toFixed(0)}°C`),
      },
    ],
    model.resources,
    {
      emptyText: 'No host reported.',
      bound: {
        sheet: 'Resources',
        first: (r) =>
          (r.load5 !== null && r.cpuCount !== null && r.load5 > r.cpuCount) ||
          (r.memoryUsedPercent ?? 0) >= 90 ||
          (r.cpuPercent ?? 0) >= 90,
      },
    },
  );
  note(
    doc,
    'CPU % is measured over one second at collection time; temperatures show "n/a" where the host has no sensor (most virtual machines).',
  );
  const charted = model.resources.filter((r) => r.load24h.length >= 2 || r.memory24h.length >= 2);
  subheading(doc, 'Last 24 hours (hourly means from InfluxDB)');
  if (charted.length === 0) {
    note(
      doc,
      model.historyNote
        ? 'No charts: no history.'
        : 'No charts yet: a host needs at least two samples in the last 24 hours (more than one run or sample a day).',
    );
    return;
  }
  const end = Date.parse(model.run.windowEnd);
  const chart =
    (pick: (r: ReportModel['resources'][number]) => { time: number; value: number }[], fixedMax?: number) =>
    (d: Doc, row: ReportModel['resources'][number], x: number, y: number, width: number, height: number) => {
      const points = pick(row);
      if (points.length < 2) return;
      const max = fixedMax ?? Math.max(1, ...points.map((p) => p.value)) * 1.1;
      const px = (t: number) => x + 4 + ((t - (end - 86_400_000)) / 86_400_000) * (width - 40);
      const py = (v: number) => y + height - 4 - (Math.min(v, max) / max) * (height - 8);
      d.save()
        .rect(x + 4, y + 3, width - 40, height - 6)
        .lineWidth(0.3)
        .stroke('#bdc3c7');
      d.moveTo(px(points[0]!.time), py(points[0]!.value));
      for (const p of points.slice(1)) d.lineTo(px(p.time), py(p.value));
      d.lineWidth(0.8).stroke('#1f3b57').restore();
      d.font('Sans')
        .fontSize(6)
        .fillColor('#555555')
        .text(`max ${Math.max(...points.map((p) => p.value)).toFixed(fixedMax ? 0 : 2)}`, x + width - 34, y + 4, {
          width: 32,
          lineBreak: false,
        })
        .fillColor('#000000');
    };
  table(
    doc,
    [
      { header: 'Host', width: 95, text: (r: ReportModel['resources'][number]) => r.host },
      { header: 'Load (1 min)', width: 210, text: () => '', draw: chart((r) => r.load24h) },
      { header: 'Memory used %', width: 210, text: () => '', draw: chart((r) => r.memory24h, 100) },
    ],
    charted,
    { rowHeight: 30, bound: { limit: 20, sheet: 'Resources' } },
  );
}

function securitySection(doc: Doc, model: ReportModel): void {
  heading(doc, 'Security Findings');
  const rollups = model.securityRollups;
  table(
    doc,
    [
      {
        header: 'Severity',
        width: 55,
        text: (r: (typeof rollups)[number]) => r.severity.toUpperCase(),
        fill: (r) => severityFill[r.severity],
      },
      { header: 'Kind', width: 80, text: (r) => r.kind },
      {
        header: 'Finding',
        width: 210,
        text: (r) => (r.hosts.length === 1 ? (r.items[0]?.message ?? r.title) : r.title),
      },
      { header: 'Hosts', width: 35, align: 'right', text: (r) => count(r.hosts.length) },
      { header: 'Where', width: 135, text: (r) => r.examples },
    ],
    rollups,
    { emptyText: 'No security findings.', bound: { limit: 60, sheet: 'Security' } },
  );
}

function processSection(doc: Doc, model: ReportModel): void {
  heading(doc, 'Processes and Failed Units');
  table(
    doc,
    [
      { header: 'Host', width: 95, text: (r: ReportModel['processes'][number]) => r.host },
      { header: 'Total', width: 45, align: 'right', text: (r) => num(r.total) },
      { header: 'Running', width: 48, align: 'right', text: (r) => num(r.running) },
      { header: 'Blocked', width: 48, align: 'right', text: (r) => num(r.blocked) },
      {
        header: 'Zombies',
        width: 48,
        align: 'right',
        text: (r) => num(r.zombies),
        fill: (r) => ((r.zombies ?? 0) > 0 ? severityFill.warning : undefined),
      },
      {
        header: 'Failed systemd units',
        width: 231,
        text: (r) => (r.failedUnits === null ? 'no systemd' : r.failedUnits.join(', ') || 'none'),
        fill: (r) => ((r.failedUnits?.length ?? 0) > 0 ? severityFill.warning : undefined),
      },
    ],
    model.processes,
    {
      emptyText: 'No host reported.',
      bound: {
        sheet: 'Processes',
        first: (r) => (r.failedUnits?.length ?? 0) > 0 || (r.zombies ?? 0) > 0,
      },
    },
  );
  for (const condition of model.expectedConditions) note(doc, condition);
}

function backupSection(doc: Doc, model: ReportModel): void {
  heading(doc, 'Backups');
  table(
    doc,
    [
      { header: 'Host', width: 85, text: (r: ReportModel['backups'][number]) => r.host },
      { header: 'Backup', width: 70, text: (r) => r.name },
      { header: 'Newest file', width: 166, text: (r) => r.newestFile ?? `none matches ${r.path}` },
      { header: 'Modified', width: 84, text: (r) => time(model, r.modified) },
      {
        header: 'Age',
        width: 50,
        align: 'right',
        text: (r) => (r.ageHours === null ? '—' : `${r.ageHours.toFixed(1)} h`),
        fill: (r) => severityFill[r.severity],
      },
      {
        header: 'Size',
        width: 60,
        align: 'right',
        text: (r) => (r.sizeBytes === null ? '—' : formatBytes(r.sizeBytes)),
      },
    ],
    model.backups,
    { bound: { sheet: 'Backups', first: (r) => r.severity !== 'ok' } },
  );
}

function unreachableSection(doc: Doc, model: ReportModel): void {
  heading(doc, 'Unreachable Hosts');
  table(
    doc,
    [
      { header: 'Host', width: 95, text: (r: ReportModel['unreachable'][number]) => r.host },
      { header: 'Address', width: 90, text: (r) => r.address },
      { header: 'Reason', width: 330, text: (r) => r.reason },
    ],
    model.unreachable,
    { emptyText: 'Every host answered.', bound: { limit: 100, sheet: 'Unreachable Hosts' } },
  );
  // Reasons can be long; the table shows the start, this list the whole text.
  for (const row of model.unreachable.slice(0, 100))
    doc
      .font(fonts.forText(row.host))
      .fontSize(8)
      .text(`${printable(row.host)}: ${printable(row.reason)}`, { width: pageWidth });
}

function problemSection(doc: Doc, model: ReportModel): void {
  heading(doc, 'Collection Problems');
  // The same problem on many hosts is one row.
  const grouped = new Map<string, { probe: string; message: string; hosts: string[] }>();
  for (const p of model.problems) {
    const key = `${p.probe}\u0000${p.message}`;
    const row = grouped.get(key) ?? { probe: p.probe, message: p.message, hosts: [] };
    row.hosts.push(p.host);
    grouped.set(key, row);
  }
  const rows = [...grouped.values()].sort((a, b) => b.hosts.length - a.hosts.length || a.probe.localeCompare(b.probe));
  table(
    doc,
    [
      { header: 'Probe', width: 60, text: (r: (typeof rows)[number]) => r.probe },
      { header: 'Problem', width: 305, text: (r) => r.message },
      { header: 'Hosts', width: 150, text: (r) => listWithCount(r.hosts, 'hosts', 2) },
    ],
    rows,
    { bound: { sheet: 'Errors' } },
  );
}

/** One compact block per host: everything collected about it, for the person who owns it. */
function appendix(doc: Doc, model: ReportModel): void {
  doc.addPage();
  currentOutline = doc.outline.addItem('Appendix: hosts');
  doc
    .font('Sans-Bold')
    .fontSize(14)
    .fillColor('#1f3b57')
    .text('Appendix: hosts', 40, undefined, { destination: anchorOf('Appendix: hosts') })
    .fillColor('#000000')
    .moveDown(0.3);
  note(doc, 'Hosts with something in Needs attention come first.');
  for (const condition of model.expectedConditions) note(doc, condition);
  if (model.appendixOmitted > 0)
    note(
      doc,
      `${count(model.appendixOmitted)} more host(s) are not shown here (report.appendix_max_hosts); the XLSX has every host.`,
    );
  let group: string | undefined;
  for (const { group: hostGroup, snapshot: s } of model.appendixHosts) {
    if (doc.y > doc.page.height - 160) doc.addPage();
    if (hostGroup !== group && model.groups.length > 1) {
      group = hostGroup;
      currentOutline?.addItem(`Group ${printable(hostGroup)}`);
      doc
        .font(fonts.forText(hostGroup, 'bold'))
        .fontSize(11)
        .fillColor('#555555')
        .text(`Group ${printable(hostGroup)}`, 40)
        .fillColor('#000000');
    }
    doc
      .font(fonts.forText(s.host, 'bold'))
      .fontSize(10)
      .text(`${printable(s.host)}  (${printable(s.address)})`, 40);
    const line = (text: string) =>
      doc
        .font(fonts.forText(text))
        .fontSize(8)
        .text(printable(text), 50, undefined, { width: pageWidth - 10 });
    line(
      `${s.os.prettyName ?? 'unknown OS'}, ${s.os.kernel ?? ''} ${s.os.arch ?? ''}; ${s.cpuCount ?? '?'} CPU(s); up ${s.uptimeSeconds === null ? '?' : formatDuration(s.uptimeSeconds)}; SSH ${s.sshLatencyMs === null ? 'local' : `${s.sshLatencyMs} ms`}`,
    );
    line(
      `load ${s.load ? `${s.load.one} ${s.load.five} ${s.load.fifteen}` : '?'}; CPU ${pct(s.cpu?.usagePercent ?? null)}; memory ${s.memory ? `${s.memory.usedPercent}% of ${formatBytes(s.memory.totalBytes)}` : '?'}; processes ${s.processes?.total ?? '?'} (${s.processes?.zombies ?? 0} zombie)`,
    );
    line(
      `disks: ${s.filesystems.map((f) => `${f.mount} ${f.usedPercent}% of ${formatBytes(f.sizeBytes)}`).join('; ') || 'none'}`,
    );
    line(
      `logins: ${s.logins.accepted.length} accepted, ${s.logins.failed.reduce((n, f) => n + f.count, 0)} failed, ${s.logins.privilege.length} sudo/su; now logged in: ${s.usersNow.map((u) => u.user).join(', ') || 'nobody'}`,
    );
    if (s.listening.length > 0) line(`listening: ${listeningSummary(s.listening)}`);
    // The collector orders findings: most severe, then largest.
    for (const finding of s.security) line(`${finding.severity.toUpperCase()}: ${finding.message}`);
    for (const problem of s.problems)
      if (!isExpectedCondition(problem)) line(`gap (${problem.probe}): ${problem.message}`);
    doc.moveDown(0.5);
  }
}

/** "22/tcp (0.0.0.0, ::), 53/udp (127.0.0.53)": each port once, with the addresses it listens on. */
function listeningSummary(listening: HostSnapshot['listening']): string {
  const byPort = new Map<string, Set<string>>();
  for (const l of listening) {
    const key = `${l.port}/${l.protocol}`;
    byPort.set(key, (byPort.get(key) ?? new Set()).add(l.address));
  }
  return [...byPort.entries()]
    .sort(([a], [b]) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b))
    .map(([port, addresses]) => `${port} (${[...addresses].join(', ')})`)
    .join(', ');
}

/** "h001, h002, h003 (200 hosts)" when the list is longer than fits. */
function listWithCount(items: string[], noun: string, shown = 3): string {
  return items.length <= shown
    ? items.join(', ')
    : `${items.slice(0, shown).join(', ')}, … (${count(items.length)} ${noun})`;
}

/** A table whose cells switch to the CJK font where their text needs it. */
function table<Row>(
  doc: Doc,
  columns: PdfColumn<Row>[],
  rows: Row[],
  options: { emptyText?: string; rowHeight?: number; bound?: RowBound<Row> } = {},
): void {
  const { bound, ...drawOptions } = options;
  const { shown, note: cut } = bound ? limitRows(rows, bound) : { shown: rows, note: null };
  drawTable(doc, columns, shown, { ...drawOptions, fontFor: (text) => fonts.forText(text) });
  if (cut) note(doc, cut);
}

/** The section being written: subheadings become its children in the PDF outline. */
let currentOutline: PDFKit.PDFOutline | null = null;

function heading(doc: Doc, text: string): void {
  if (doc.y > doc.page.height - 150) doc.addPage();
  currentOutline = doc.outline.addItem(text);
  doc
    .moveDown(0.6)
    .font('Sans-Bold')
    .fontSize(14)
    .fillColor('#1f3b57')
    .text(text, doc.page.margins.left, undefined, { destination: anchorOf(text) })
    .fillColor('#000000')
    .moveDown(0.3);
}

function subheading(doc: Doc, text: string): void {
  if (doc.y > doc.page.height - 110) doc.addPage();
  (currentOutline ?? doc.outline).addItem(printable(text));
  doc.font('Sans-Bold').fontSize(10).fillColor('#000000').text(text, doc.page.margins.left).moveDown(0.2);
}

function note(doc: Doc, text: string): void {
  doc
    .font('Sans-Oblique')
    .fontSize(8)
    .fillColor('#555555')
    .text(text, doc.page.margins.left, undefined, { width: pageWidth })
    .fillColor('#000000')
    .font('Sans')
    .moveDown(0.3);
}
