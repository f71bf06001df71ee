import { type ReportModel } from '../../report-model.js';
import { reportSections, sheets } from '../../report-sections.js';
import { type PdfWriter, severityFill, count } from '../pdf-writer.js';

export function securitySection(w: PdfWriter, model: ReportModel): void {
  w.heading(reportSections.security.title);
  const rollups = model.securityRollups;
  w.table(
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
    { emptyText: 'No security findings.', bound: { limit: 60, sheet: sheets.security } },
  );
}
