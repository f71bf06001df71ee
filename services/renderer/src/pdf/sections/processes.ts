import { formatBytes, type ReportModel } from '../../report-model.js';
import { reportSections, sheets } from '../../report-sections.js';
import { type PdfWriter, severityFill, time, num } from '../pdf-writer.js';

export function processSection(w: PdfWriter, model: ReportModel): void {
  w.heading(reportSections.processes.title);
  w.table(
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
        sheet: sheets.processes,
        first: (r) => (r.failedUnits?.length ?? 0) > 0 || (r.zombies ?? 0) > 0,
      },
    },
  );
  for (const condition of model.expectedConditions) w.note(condition);
}

export function backupSection(w: PdfWriter, model: ReportModel): void {
  w.heading(reportSections.backups.title);
  w.table(
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
    { bound: { sheet: sheets.backups, first: (r) => r.severity !== 'ok' } },
  );
}
