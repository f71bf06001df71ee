import { type ReportModel } from '../../report-model.js';
import { reportSections, sheets } from '../../report-sections.js';
import { type PdfWriter } from '../pdf-writer.js';

export function changesSection(w: PdfWriter, model: ReportModel): void {
  w.heading(reportSections.changes.title);
  const c = model.sinceYesterday;
  if (!c.known) {
    w.note('Unknown: no history in InfluxDB to compare with.');
    return;
  }
  const rows = [
    ...c.newHosts.map((host) => ({ change: 'new host', host, detail: 'reported today, not in the two days before' })),
    ...c.goneHosts.map((host) => ({ change: 'host gone', host, detail: 'reported in the two days before, not today' })),
    ...c.grownDisks.map((d) => ({ change: 'disk grew', host: d.host, detail: `${d.mount}: ${d.from}% → ${d.to}%` })),
    ...c.newPorts.map((p) => ({
      change: 'new listening port',
      host: p.host,
      detail: `${p.port} (${p.addresses.join(', ')})`,
    })),
    ...c.newLoginSources.map((l) => ({
      change: 'login from a new address',
      host: l.host,
      detail: `${l.source} (user ${l.user})`,
    })),
  ];
  w.table(
    [
      { header: 'Change', width: 130, text: (r: (typeof rows)[number]) => r.change },
      { header: 'Host', width: 110, text: (r) => r.host },
      { header: 'Detail', width: 275, text: (r) => r.detail },
    ],
    rows,
    {
      emptyText: 'No host came or went, no disk grew by more than 10 points, no new port or login address.',
      bound: { sheet: sheets.sinceYesterday },
    },
  );
}
