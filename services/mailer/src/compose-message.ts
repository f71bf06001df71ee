import type { RenderResult } from '@infra-report/shared';

export interface ComposedMessage {
  subject: string;
  text: string;
  html: string;
}

/** The email's words: subject with the report date, a short summary, the attention list. */
export function composeMessage(
  result: RenderResult,
  title: string,
  downloadLinks: { fileName: string; url: string }[] = [],
): ComposedMessage {
  const { run, summary } = result;
  const subject = `${title} - ${run.reportDate}`;
  const counts =
    `${summary.hostsReporting} of ${summary.hostsTotal} hosts reported` +
    (summary.hostsUnreachable > 0 ? `, ${summary.hostsUnreachable} unreachable` : '');
  const attention = summary.attention;
  const textLines = [
    `${title} for ${run.reportDate}`,
    '',
    counts + '.',
    '',
    attention.length > 0 ? 'Needs attention:' : 'Nothing needs attention.',
    ...attention.map((a) => `  [${a.severity.toUpperCase()}] ${oneLine(a.host)}: ${oneLine(a.message)}`),
    '',
    downloadLinks.length > 0
      ? 'The report files are too large to attach; download them here:'
      : 'The full report is attached as PDF (to read) and XLSX (to sort and filter).',
    ...downloadLinks.map((l) => `  ${l.fileName}: ${l.url}`),
    '',
    `Run ${run.runId}, window ${run.windowStart} to ${run.windowEnd}.`,
  ];
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(title)} – ${escapeHtml(run.reportDate)}</h2>`,
    `<p>${escapeHtml(counts)}.</p>`,
    attention.length > 0
      ? `<p><b>Needs attention:</b></p><table cellpadding="4" style="border-collapse:collapse">${attention
          .map(
            (a) =>
              `<tr><td style="color:${a.severity === 'critical' ? '#c0392b' : '#b9770e'}"><b>${a.severity.toUpperCase()}</b></td><td>${escapeHtml(a.host)}</td><td>${escapeHtml(a.message)}</td></tr>`,
          )
          .join('')}</table>`
      : '<p>Nothing needs attention.</p>',
    downloadLinks.length > 0
      ? `<p>The report files are too large to attach:</p><ul>${downloadLinks.map((l) => `<li><a href="${escapeHtml(l.url)}">${escapeHtml(l.fileName)}</a></li>`).join('')}</ul>`
      : '<p>The full report is attached as PDF (to read) and XLSX (to sort and filter).</p>',
    `<p style="color:#777;font-size:small">Run ${escapeHtml(run.runId)}, window ${escapeHtml(run.windowStart)} to ${escapeHtml(run.windowEnd)}.</p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text: textLines.join('\n'), html };
}

/** Host names and log-derived text are attacker-controlled: escaped for HTML, one line for text. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ');
}
