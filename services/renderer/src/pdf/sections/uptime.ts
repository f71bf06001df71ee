import { formatDuration, type ReportModel } from '../../report-model.js';
import { reportSections, sheets } from '../../report-sections.js';
import { type PdfWriter, severityFill, time } from '../pdf-writer.js';

export function uptimeSection(w: PdfWriter, model: ReportModel): void {
  w.heading(reportSections.uptime.title);
  w.table(
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
    { emptyText: 'No host reported.', bound: { sheet: sheets.uptime, first: (r) => r.rebootedInWindow } },
  );
}
