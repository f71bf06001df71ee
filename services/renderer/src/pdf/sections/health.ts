import { type ReportModel } from '../../report-model.js';
import { reportSections, sheets } from '../../report-sections.js';
import { type PdfWriter, severityFill, time, count } from '../pdf-writer.js';

export function healthSection(w: PdfWriter, model: ReportModel): void {
  w.heading(reportSections.health.title);
  const yesNo = (v: boolean | null) => (v === null ? '—' : v ? 'yes' : 'no');
  const kernelTrouble = (r: ReportModel['health'][number]) => Object.values(r.kernel ?? {}).some((n) => (n ?? 0) > 0);
  w.table(
    [
      { header: 'Host', width: 90, text: (r: ReportModel['health'][number]) => r.host },
      {
        header: 'Kernel (in the window)',
        width: 175,
        text: (r) => (r.kernel === null ? 'not readable' : r.kernelDetail || 'nothing'),
        fill: (r) => (kernelTrouble(r) ? severityFill.warning : undefined),
      },
      {
        header: 'Updates',
        width: 48,
        align: 'right',
        text: (r) => (r.pendingUpdates === null ? '—' : count(r.pendingUpdates)),
      },
      {
        header: 'Security',
        width: 48,
        align: 'right',
        text: (r) => (r.securityUpdates === null ? '—' : count(r.securityUpdates)),
        fill: (r) => ((r.securityUpdates ?? 0) > 0 ? severityFill.warning : undefined),
      },
      {
        header: 'Reboot',
        width: 42,
        text: (r) => yesNo(r.rebootRequired),
        fill: (r) => (r.rebootRequired ? severityFill.warning : undefined),
      },
      {
        header: 'Clock synced',
        width: 112,
        text: (r) => `${yesNo(r.clockSynchronized)} (${r.clockDetail})`,
        fill: (r) => (r.clockSynchronized === false ? severityFill.warning : undefined),
      },
    ],
    model.health,
    {
      emptyText: 'No host reported.',
      bound: {
        sheet: sheets.health,
        first: (r) =>
          kernelTrouble(r) ||
          (r.securityUpdates ?? 0) > 0 ||
          r.rebootRequired === true ||
          r.clockSynchronized === false,
      },
    },
  );
  w.note(
    'Kernel: OOM kills, I/O and filesystem errors, segfaults, hung tasks and hardware errors from the journal or dmesg. Updates: simulated from the local package lists (apt) or the cached metadata (dnf, yum), never fetched; "—" where not checked.',
  );
  if (model.certificates.length === 0) return;
  w.subheading('Certificates');
  w.table(
    [
      { header: 'Host', width: 90, text: (r: ReportModel['certificates'][number]) => r.host },
      { header: 'Certificate', width: 140, text: (r) => r.target },
      { header: 'Subject', width: 125, text: (r) => r.subject ?? '—' },
      { header: 'Expires', width: 84, text: (r) => (r.error ? r.error : time(model, r.notAfter)) },
      {
        header: 'Days left',
        width: 76,
        align: 'right',
        text: (r) => (r.daysLeft === null ? '—' : count(r.daysLeft)),
        fill: (r) => severityFill[r.severity],
      },
    ],
    model.certificates,
    { bound: { sheet: sheets.certificates, first: (r) => r.severity !== 'ok' } },
  );
}
