import { existsSync } from 'node:fs';
import { printable } from '@infra-report/shared';
import { type ReportModel } from '../../report-model.js';
import { anchorOf, reportSections, type ReportSection } from '../../report-sections.js';
import { type PdfWriter, severityFill, attentionOnSummary, time, count } from '../pdf-writer.js';
import type { PdfColumn } from '../pdf-table.js';

type SectionOn = (section: ReportSection) => boolean;

/** A right-aligned count whose cell is shaded by severity when it is above zero. */
function flaggedCount<Row>(
  header: string,
  width: number,
  value: (row: Row) => number,
  severity: 'critical' | 'warning',
  format: (n: number) => string = count,
): PdfColumn<Row> {
  return {
    header,
    width,
    align: 'right',
    text: (row) => format(value(row)),
    fill: (row) => (value(row) > 0 ? severityFill[severity] : undefined),
  };
}

/** The first page: title, counts, counts per group, the findings across the fleet, links to the sections. */
export function summaryPage(w: PdfWriter, model: ReportModel, on: SectionOn): void {
  summaryTitle(w, model);
  summaryCounts(w, model);
  w.heading(reportSections.summary.title);
  w.note(
    `${count(model.attention.length)} item(s) on ${count(new Set(model.attention.map((a) => a.host)).size)} host(s), as ${count(model.rollups.length)} finding(s) across the fleet, most severe and broadest first.`,
  );
  w.rollupTable(model.rollups.slice(0, attentionOnSummary));
  if (model.rollups.length > attentionOnSummary)
    w.note(
      `${count(model.rollups.length - attentionOnSummary)} more finding(s) in the Alerts section; the XLSX's Alerts sheet lists every item per host.`,
    );
  sectionLinks(w, model, on);
}

function summaryTitle(w: PdfWriter, model: ReportModel): void {
  const { doc } = w;
  if (model.logoFile && existsSync(model.logoFile)) {
    try {
      doc.image(model.logoFile, doc.page.width - 40 - 120, 40, { fit: [120, 45], align: 'right' });
    } catch {
      // An unreadable logo must not cost the report; the title carries on without it.
    }
  }
  doc
    .font(w.fonts.forText(model.title, 'bold'))
    .fontSize(20)
    .fillColor('#000000')
    .text(printable(model.title), 40, 50, { width: 380 });
  if (model.company)
    doc
      .font(w.fonts.forText(model.company))
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
}

function summaryCounts(w: PdfWriter, model: ReportModel): void {
  const s = model.summary;
  w.table(
    [
      { header: 'Hosts', width: 38, align: 'right', text: (r: typeof s) => count(r.hostsTotal) },
      { header: 'Reporting', width: 55, align: 'right', text: (r) => count(r.hostsReporting) },
      flaggedCount('Unreachable', 66, (r: typeof s) => r.hostsUnreachable, 'critical'),
      flaggedCount('Critical', 42, (r: typeof s) => r.critical, 'critical'),
      flaggedCount('Warnings', 50, (r: typeof s) => r.warning, 'warning'),
      { header: 'Rebooted', width: 50, align: 'right', text: (r) => count(r.rebooted) },
      { header: 'Filesystems', width: 62, align: 'right', text: (r) => count(r.filesystems) },
      { header: 'Logins', width: 38, align: 'right', text: (r) => count(r.acceptedLogins) },
      flaggedCount('New IPs', 42, (r: typeof s) => r.newSourceIps, 'warning'),
      { header: 'Failed logins', width: 72, align: 'right', text: (r) => count(r.failedLogins) },
    ],
    [s],
  );
  if (model.groupSummary.length > 1) {
    w.subheading('By host group');
    w.table(
      [
        { header: 'Group', width: 175, text: (r: ReportModel['groupSummary'][number]) => r.group },
        { header: 'Hosts', width: 60, align: 'right', text: (r) => String(r.hosts) },
        { header: 'Reporting', width: 70, align: 'right', text: (r) => String(r.reporting) },
        flaggedCount('Unreachable', 70, (r: ReportModel['groupSummary'][number]) => r.unreachable, 'critical', String),
        flaggedCount('Critical', 70, (r: ReportModel['groupSummary'][number]) => r.critical, 'critical', String),
        flaggedCount('Warnings', 70, (r: ReportModel['groupSummary'][number]) => r.warnings, 'warning', String),
      ],
      model.groupSummary,
    );
  }
}

/** Links to the sections, in three columns (the outline has them too). */
function sectionLinks(w: PdfWriter, model: ReportModel, on: SectionOn): void {
  const { doc } = w;
  const contents = (Object.entries(reportSections) as [ReportSection, { title: string }][])
    .filter(([section]) => section !== 'summary' && on(section))
    .filter(([section]) => section !== 'alerts' || alertsSectionShown(model, true))
    .map(([, { title }]) => title);
  if (contents.length > 0) {
    if (doc.y > doc.page.height - 120) doc.addPage();
    doc.moveDown(0.5).font('Sans-Bold').fontSize(9).text('Sections', doc.page.margins.left);
    const top = doc.y + 2;
    const rows = Math.ceil(contents.length / 3);
    doc.font('Sans').fontSize(9).fillColor('#1f3b57');
    contents.forEach((title, i) =>
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

/** With a summary page, the Alerts section is there for what the summary could not show. */
export function alertsSectionShown(model: ReportModel, summary: boolean): boolean {
  return !summary || model.rollups.length > attentionOnSummary || model.alertsFired.length > 0;
}
