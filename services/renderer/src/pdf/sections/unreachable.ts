import { printable } from '@infra-report/shared';
import { type ReportModel } from '../../report-model.js';
import { reportSections, sheets } from '../../report-sections.js';
import { type PdfWriter, pageWidth, listWithCount } from '../pdf-writer.js';

export function unreachableSection(w: PdfWriter, model: ReportModel): void {
  const { doc } = w;
  w.heading(reportSections.unreachable.title);
  w.table(
    [
      { header: 'Host', width: 95, text: (r: ReportModel['unreachable'][number]) => r.host },
      { header: 'Address', width: 90, text: (r) => r.address },
      { header: 'Reason', width: 330, text: (r) => r.reason },
    ],
    model.unreachable,
    { emptyText: 'Every host answered.', bound: { limit: 100, sheet: sheets.unreachable } },
  );
  // Reasons can be long; the table shows the start, this list the whole text.
  for (const row of model.unreachable.slice(0, 100))
    doc
      .font(w.fonts.forText(row.host))
      .fontSize(8)
      .text(`${printable(row.host)}: ${printable(row.reason)}`, { width: pageWidth });
}

export function problemSection(w: PdfWriter, model: ReportModel): void {
  w.heading(reportSections.errors.title);
  // The same problem on many hosts is one row.
  const grouped = new Map<string, { probe: string; message: string; hosts: string[] }>();
  for (const p of model.problems) {
    const key = `${p.probe}\u0000${p.message}`;
    const row = grouped.get(key) ?? { probe: p.probe, message: p.message, hosts: [] };
    row.hosts.push(p.host);
    grouped.set(key, row);
  }
  const rows = [...grouped.values()].sort((a, b) => b.hosts.length - a.hosts.length || a.probe.localeCompare(b.probe));
  w.table(
    [
      { header: 'Probe', width: 60, text: (r: (typeof rows)[number]) => r.probe },
      { header: 'Problem', width: 305, text: (r) => r.message },
      { header: 'Hosts', width: 150, text: (r) => listWithCount(r.hosts, 'hosts', 2) },
    ],
    rows,
    { bound: { sheet: sheets.errors } },
  );
}
