import { formatBytes, type DiskRow, type ReportModel } from '../../report-model.js';
import { reportSections, sheets } from '../../report-sections.js';
import { type PdfWriter, severityFill, severityColour } from '../pdf-writer.js';

export function diskSection(w: PdfWriter, model: ReportModel): void {
  w.heading(reportSections.disks.title);
  const bar = (d: PDFKit.PDFDocument, row: DiskRow, x: number, y: number, width: number, height: number) => {
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
  w.table(
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
        sheet: sheets.disks,
        first: (r) => r.severity !== 'ok' || r.daysUntilFull !== null,
      },
    },
  );
}
