import {
  printable,
  verdict,
  wallDateTime,
  type RenderResult,
  type RunSummary,
  type SummaryRollup,
} from '@infra-report/shared';

export interface ComposedMessage {
  subject: string;
  text: string;
  html: string;
}

const severityColour = { critical: '#c0392b', warning: '#b9770e' } as const;
const count = new Intl.NumberFormat('en-US');

/**
 * The email's words, to triage from the inbox: the verdict in the subject, totals first, the
 * findings rolled up across hosts (with "and N more" whenever the list is cut), times in the
 * report's zone. Plain text for a terminal, HTML with a header row for mail clients.
 */
export function composeMessage(
  result: RenderResult,
  title: string,
  downloadLinks: { fileName: string; url: string }[] = [],
): ComposedMessage {
  const { run, summary } = result;
  const zone = summary.timezone ?? 'UTC';
  const said = verdict(summary);
  const subject = `${title} - ${run.reportDate} - ${said}`;
  const hostsLine =
    `${count.format(summary.hostsReporting)} of ${count.format(summary.hostsTotal)} hosts reported` +
    (summary.hostsUnreachable > 0 ? `, ${count.format(summary.hostsUnreachable)} unreachable` : '') +
    (summary.rebooted ? `, ${count.format(summary.rebooted)} rebooted` : '');
  const window = `${wallDateTime(new Date(run.windowStart), zone)} – ${wallDateTime(new Date(run.windowEnd), zone)} (${zone})`;
  const rollups = summary.rollups ?? legacyRollups(summary);
  const total = summary.rollupsTotal ?? rollups.length;
  const more = total - rollups.length;
  const moreLine =
    more > 0
      ? `and ${count.format(more)} more finding(s): the PDF's Alerts section and the XLSX's Alerts sheet list every item.`
      : '';
  const attachmentsLine =
    downloadLinks.length > 0
      ? 'The report files are too large to attach; download them here:'
      : 'The full report is attached as PDF (to read) and XLSX (to sort and filter).';

  const severityWidth = 9;
  const textLines = [
    `${title} for ${run.reportDate}: ${said}`,
    '',
    `${hostsLine}.`,
    `Window: ${window}`,
    '',
    rollups.length > 0
      ? `Needs attention (${count.format(total)} finding(s) across the fleet):`
      : 'Nothing needs attention.',
    ...rollups.flatMap((r) => [
      `  ${r.severity.toUpperCase().padEnd(severityWidth)}${oneLine(r.title)}`,
      ...(r.examples ? [`  ${' '.repeat(severityWidth)}${oneLine(r.examples)}`] : []),
    ]),
    ...(moreLine ? [`  ${moreLine}`] : []),
    '',
    attachmentsLine,
    ...downloadLinks.map((l) => `  ${l.fileName}: ${l.url}`),
    '',
    `Run ${run.runId}.`,
  ];

  const cell = 'padding:4px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top';
  const html = [
    '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>',
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">',
    `<h2 style="margin:0 0 4px">${escapeHtml(title)} – ${escapeHtml(run.reportDate)}</h2>`,
    `<p style="margin:0 0 4px;font-size:16px"><b>${escapeHtml(said)}</b></p>`,
    `<p style="margin:0 0 12px">${escapeHtml(hostsLine)}.<br>Window: ${escapeHtml(window)}</p>`,
    rollups.length > 0
      ? [
          `<table role="table" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%;max-width:900px">`,
          `<thead><tr style="background:#1f3b57;color:#ffffff">` +
            `<th style="${cell}">Severity</th><th style="${cell}">Finding</th><th style="${cell};text-align:right">Hosts</th><th style="${cell}">Where</th></tr></thead>`,
          '<tbody>',
          ...rollups.map(
            (r) =>
              `<tr><td style="${cell};color:${severityColour[r.severity]}"><b>${r.severity.toUpperCase()}</b></td>` +
              `<td style="${cell}">${escapeHtml(oneLine(r.title))}</td><td style="${cell};text-align:right">${count.format(r.hosts)}</td>` +
              `<td style="${cell};color:#555">${escapeHtml(oneLine(r.examples))}</td></tr>`,
          ),
          '</tbody></table>',
          moreLine ? `<p style="color:#555">${escapeHtml(moreLine)}</p>` : '',
        ].join('\n')
      : '<p>Nothing needs attention.</p>',
    downloadLinks.length > 0
      ? `<p>${escapeHtml(attachmentsLine)}</p><ul>${downloadLinks.map((l) => `<li><a href="${escapeHtml(l.url)}">${escapeHtml(l.fileName)}</a></li>`).join('')}</ul>`
      : `<p>${escapeHtml(attachmentsLine)}</p>`,
    `<p style="color:#777;font-size:small">Run ${escapeHtml(run.runId)}.</p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text: textLines.join('\n'), html };
}

/** Results rendered before roll-ups existed: one "finding" per item. */
function legacyRollups(summary: RunSummary): SummaryRollup[] {
  return summary.attention.map((a) => ({ severity: a.severity, title: a.message, hosts: 1, examples: a.host }));
}

const maxLineCharacters = 200;

/** Host names and log-derived text are attacker-controlled: escaped for HTML, one line for text. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function oneLine(text: string): string {
  // As the PDF and XLSX show them: control characters in caret notation (ESC as ^[), and a
  // very long name (a 10,000-character user name from a log) cut to fit a line.
  return printable(text, maxLineCharacters);
}
