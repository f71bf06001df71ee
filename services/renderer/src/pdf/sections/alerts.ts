import { formatTime, type ReportModel } from '../../report-model.js';
import { reportSections, sheets } from '../../report-sections.js';
import { type PdfWriter, attentionOnSummary } from '../pdf-writer.js';

export function alertsSection(w: PdfWriter, model: ReportModel, summary: boolean): void {
  w.heading(reportSections.alerts.title);
  if (!summary || model.rollups.length > attentionOnSummary)
    w.rollupTable(model.rollups, { bound: { limit: 200, sheet: sheets.alerts } });
  w.subheading('Immediate alerts since the last report');
  w.table(
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
      bound: { limit: 200, sheet: sheets.alertsFired },
    },
  );
}
