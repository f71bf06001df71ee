import { formatBytes, type ReportModel } from '../../report-model.js';
import { reportSections, sheets } from '../../report-sections.js';
import { type PdfWriter, severityFill, num, pct } from '../pdf-writer.js';

export function resourceSection(w: PdfWriter, model: ReportModel): void {
  w.heading(reportSections.resources.title);
  w.table(
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
        sheet: sheets.resources,
        first: (r) =>
          (r.load5 !== null && r.cpuCount !== null && r.load5 > r.cpuCount) ||
          (r.memoryUsedPercent ?? 0) >= 90 ||
          (r.cpuPercent ?? 0) >= 90,
      },
    },
  );
  w.note(
    'CPU % is measured over one second at collection time; temperatures show "n/a" where the host has no sensor (most virtual machines).',
  );
  const charted = model.resources.filter((r) => r.load24h.length >= 2 || r.memory24h.length >= 2);
  w.subheading('Last 24 hours (hourly means from InfluxDB)');
  if (charted.length === 0) {
    w.note(
      model.historyNote
        ? 'No charts: no history.'
        : 'No charts yet: a host needs at least two samples in the last 24 hours (more than one run or sample a day).',
    );
    return;
  }
  const end = Date.parse(model.run.windowEnd);
  const chart =
    (pick: (r: ReportModel['resources'][number]) => { time: number; value: number }[], fixedMax?: number) =>
    (
      d: PDFKit.PDFDocument,
      row: ReportModel['resources'][number],
      x: number,
      y: number,
      width: number,
      height: number,
    ) => {
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
  w.table(
    [
      { header: 'Host', width: 95, text: (r: ReportModel['resources'][number]) => r.host },
      { header: 'Load (1 min)', width: 210, text: () => '', draw: chart((r) => r.load24h) },
      { header: 'Memory used %', width: 210, text: () => '', draw: chart((r) => r.memory24h, 100) },
    ],
    charted,
    { rowHeight: 30, bound: { limit: 20, sheet: sheets.resources } },
  );
}
