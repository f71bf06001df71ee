import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { formatBytes, formatDuration, formatTime, type DiskRow, type ReportModel, type Severity } from '../report-model.js';
import { printable } from '../printable.js';
import { drawTable } from './pdf-table.js';

const require = createRequire(import.meta.url);
const fontDir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

const severityFill: Record<Severity, string | undefined> = { critical: '#f8c9c4', warning: '#fbe6b0', ok: undefined };
const severityColour: Record<Severity, string> = { critical: '#c0392b', warning: '#d68910', ok: '#1e8449' };

/** Renders the report model as a PDF: a summary page first, then one section per topic. */
export async function renderPdf(model: ReportModel): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 50, bottom: 50, left: 40, right: 40 },
    bufferPages: true,
    info: { Title: `${model.title} - ${model.run.reportDate}`, Author: model.company ?? 'infra-report', Creator: 'infra-report' },
  });
  // An embedded Unicode font: non-Latin usernames and host names render instead of turning into boxes.
  doc.registerFont('Sans', path.join(fontDir, 'DejaVuSans.ttf'));
  doc.registerFont('Sans-Bold', path.join(fontDir, 'DejaVuSans-Bold.ttf'));
  doc.registerFont('Sans-Oblique', path.join(fontDir, 'DejaVuSans-Oblique.ttf'));
  doc.font('Sans');

  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const tz = model.timezone;
  const time = (d: Date | null) => (d ? formatTime(d, tz) : '—');

  // Summary page
  doc.font('Sans-Bold').fontSize(20).text(printable(model.title));
  if (model.company) doc.font('Sans').fontSize(11).fillColor('#555555').text(printable(model.company)).fillColor('#000000');
  doc.moveDown(0.3).font('Sans').fontSize(10)
    .text(`Report date: ${model.run.reportDate}    Window: ${time(new Date(model.run.windowStart))} – ${time(new Date(model.run.windowEnd))} (${tz})`)
    .text(`Generated: ${time(model.generatedAt)} (${tz})    Run: ${model.run.runId}`);
  doc.moveDown(0.8);
  const s = model.summary;
  drawTable(
    doc,
    [
      { header: 'Hosts', width: 60, align: 'right', text: (r: typeof s) => String(r.hostsTotal) },
      { header: 'Reporting', width: 65, align: 'right', text: (r) => String(r.hostsReporting) },
      { header: 'Unreachable', width: 70, align: 'right', text: (r) => String(r.hostsUnreachable), fill: (r) => (r.hostsUnreachable > 0 ? severityFill.critical : undefined) },
      { header: 'Critical', width: 55, align: 'right', text: (r) => String(r.critical), fill: (r) => (r.critical > 0 ? severityFill.critical : undefined) },
      { header: 'Warnings', width: 60, align: 'right', text: (r) => String(r.warning), fill: (r) => (r.warning > 0 ? severityFill.warning : undefined) },
      { header: 'Filesystems', width: 65, align: 'right', text: (r) => String(r.filesystems) },
      { header: 'Logins', width: 55, align: 'right', text: (r) => String(r.acceptedLogins) },
      { header: 'Failed logins', width: 85, align: 'right', text: (r) => String(r.failedLogins) },
    ],
    [s],
  );

  heading(doc, 'Needs attention');
  drawTable(
    doc,
    [
      { header: 'Severity', width: 60, text: (r: ReportModel['attention'][number]) => r.severity.toUpperCase(), fill: (r) => severityFill[r.severity] },
      { header: 'Host', width: 110, text: (r) => r.host },
      { header: 'Issue', width: 345, text: (r) => r.message },
    ],
    model.attention,
    { emptyText: 'Nothing needs attention.' },
  );

  heading(doc, 'Disk Usage');
  const bar = (docRef: PDFKit.PDFDocument, row: DiskRow, x: number, y: number, width: number, height: number) => {
    const inner = width - 8;
    docRef.save().rect(x + 4, y + 3, inner, height - 6).lineWidth(0.5).stroke('#7f8c8d');
    docRef.rect(x + 4, y + 3, (inner * Math.min(100, row.usedPercent)) / 100, height - 6).fill(severityColour[row.severity]).restore();
  };
  drawTable(
    doc,
    [
      { header: 'Host', width: 85, text: (r: DiskRow) => r.host },
      { header: 'Mount', width: 110, text: (r) => r.mount },
      { header: 'Type', width: 45, text: (r) => r.fsType },
      { header: 'Size', width: 58, align: 'right', text: (r) => formatBytes(r.sizeBytes) },
      { header: 'Used', width: 58, align: 'right', text: (r) => formatBytes(r.usedBytes) },
      { header: 'Free', width: 58, align: 'right', text: (r) => formatBytes(r.availableBytes) },
      { header: 'Use%', width: 37, align: 'right', text: (r) => `${r.usedPercent}%`, fill: (r) => severityFill[r.severity] },
      { header: 'Usage', width: 64, text: () => '', draw: bar },
    ],
    model.disks,
    { emptyText: 'No filesystem data.' },
  );

  heading(doc, 'User Logins');
  subheading(doc, 'Accepted SSH logins');
  drawTable(
    doc,
    [
      { header: 'Time', width: 85, text: (r: ReportModel['acceptedLogins'][number]) => time(r.time) },
      { header: 'Host', width: 100, text: (r) => r.host },
      { header: 'User', width: 110, text: (r) => r.user },
      { header: 'Source IP', width: 130, text: (r) => r.sourceIp },
      { header: 'Method', width: 90, text: (r) => r.method },
    ],
    model.acceptedLogins,
    { emptyText: 'No accepted SSH logins in the window.' },
  );
  subheading(doc, 'Failed SSH logins by source');
  drawTable(
    doc,
    [
      { header: 'Host', width: 95, text: (r: ReportModel['failedBySource'][number]) => r.host },
      { header: 'Source IP', width: 110, text: (r) => r.sourceIp },
      { header: 'Attempts', width: 55, align: 'right', text: (r) => String(r.attempts), fill: (r) => (r.attempts >= model.thresholds.failedLoginsWarn ? severityFill.warning : undefined) },
      { header: 'Invalid user', width: 60, align: 'right', text: (r) => String(r.invalidUserAttempts) },
      { header: 'Users tried', width: 115, text: (r) => r.users.join(', ') },
      { header: 'Last attempt', width: 80, text: (r) => time(r.lastAttempt) },
    ],
    model.failedBySource,
    { emptyText: 'No failed SSH logins in the window.' },
  );

  heading(doc, 'System Uptime');
  drawTable(
    doc,
    [
      { header: 'Host', width: 90, text: (r: ReportModel['uptime'][number]) => r.host },
      { header: 'OS', width: 130, text: (r) => r.os ?? '—' },
      { header: 'Uptime', width: 70, align: 'right', text: (r) => (r.uptimeSeconds === null ? '—' : formatDuration(r.uptimeSeconds)) },
      { header: 'Booted', width: 85, text: (r) => time(r.bootTime), fill: (r) => (r.rebootedInWindow ? severityFill.warning : undefined) },
      { header: 'Load 1m', width: 45, align: 'right', text: (r) => (r.load1 === null ? '—' : r.load1.toFixed(2)) },
      { header: 'CPUs', width: 35, align: 'right', text: (r) => (r.cpuCount === null ? '—' : String(r.cpuCount)) },
      { header: 'Mem used', width: 60, align: 'right', text: (r) => (r.memoryUsedPercent === null ? '—' : `${r.memoryUsedPercent.toFixed(1)}%`) },
    ],
    model.uptime,
    { emptyText: 'No host reported.' },
  );

  heading(doc, 'Unreachable Hosts');
  drawTable(
    doc,
    [
      { header: 'Host', width: 95, text: (r: ReportModel['unreachable'][number]) => r.host },
      { header: 'Address', width: 90, text: (r) => r.address },
      { header: 'Reason', width: 330, text: (r) => r.reason },
    ],
    model.unreachable,
    { emptyText: 'Every host answered.' },
  );
  // Reasons can be long; the table shows the start, this list the whole text.
  for (const row of model.unreachable) {
    doc.font('Sans').fontSize(8).text(`${printable(row.host)}: ${printable(row.reason)}`, { width: 515 });
  }

  if (model.problems.length > 0) {
    heading(doc, 'Collection Problems');
    drawTable(
      doc,
      [
        { header: 'Host', width: 95, text: (r: ReportModel['problems'][number]) => r.host },
        { header: 'Probe', width: 60, text: (r) => r.probe },
        { header: 'Problem', width: 360, text: (r) => r.message },
      ],
      model.problems,
    );
  }

  // Page numbers once the page count is known.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('Sans').fontSize(8).fillColor('#555555').text(
      `${printable(model.title)} – ${model.run.reportDate} – page ${i + 1} of ${range.count}`,
      doc.page.margins.left,
      doc.page.height - 30,
      { width: doc.page.width - doc.page.margins.left - doc.page.margins.right, align: 'center', lineBreak: false },
    );
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return finished;
}

function heading(doc: PDFKit.PDFDocument, text: string): void {
  if (doc.y > doc.page.height - 150) doc.addPage();
  doc.moveDown(0.6).font('Sans-Bold').fontSize(14).fillColor('#1f3b57').text(text, doc.page.margins.left).fillColor('#000000').moveDown(0.3);
}

function subheading(doc: PDFKit.PDFDocument, text: string): void {
  doc.font('Sans-Bold').fontSize(10).text(text, doc.page.margins.left).moveDown(0.2);
}
