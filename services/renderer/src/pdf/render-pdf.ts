import PDFDocument from 'pdfkit';
import { printable } from '@infra-report/shared';
import type { ReportModel } from '../report-model.js';
import type { ReportSection } from '../report-sections.js';
import { registerFonts } from './fonts.js';
import { pageWidth, PdfWriter } from './pdf-writer.js';
import { alertsSection } from './sections/alerts.js';
import { appendix } from './sections/appendix.js';
import { changesSection } from './sections/changes.js';
import { diskSection } from './sections/disks.js';
import { healthSection } from './sections/health.js';
import { loginSections } from './sections/logins.js';
import { backupSection, processSection } from './sections/processes.js';
import { resourceSection } from './sections/resources.js';
import { securitySection } from './sections/security.js';
import { alertsSectionShown, summaryPage } from './sections/summary.js';
import { problemSection, unreachableSection } from './sections/unreachable.js';
import { uptimeSection } from './sections/uptime.js';

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
  const w = new PdfWriter(doc, registerFonts(doc, model.cjkFontFile));
  doc.font('Sans');

  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.addPage();

  const on = (section: ReportSection) => model.sections.has(section);
  if (on('summary')) summaryPage(w, model, on);
  if (on('alerts') && alertsSectionShown(model, on('summary'))) alertsSection(w, model, on('summary'));
  if (on('changes')) changesSection(w, model);
  if (on('disks')) diskSection(w, model);
  if (on('logins')) loginSections(w, model);
  if (on('uptime')) uptimeSection(w, model);
  if (on('health')) healthSection(w, model);
  if (on('resources')) resourceSection(w, model);
  if (on('security')) securitySection(w, model);
  if (on('processes')) processSection(w, model);
  if (on('backups') && model.backups.length > 0) backupSection(w, model);
  if (on('unreachable')) unreachableSection(w, model);
  if (on('errors') && model.problems.length > 0) problemSection(w, model);
  if (on('appendix') && model.appendixHosts.length > 0) appendix(w, model);

  writeFooters(doc, model);
  doc.end();
  return finished;
}

/** "title – date – page N of M" on every page, written once the page count is known. */
function writeFooters(doc: PDFKit.PDFDocument, model: ReportModel): void {
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
