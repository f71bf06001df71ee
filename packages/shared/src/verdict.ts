import type { RunSummary } from './run.js';

const count = new Intl.NumberFormat('en-US');

/**
 * A run in a few words, the same in the email subject, the CLI and the report: "2 critical,
 * 14 warnings, 1 unreachable" or "all clear". Critical items include the unreachable hosts.
 */
export function verdict(summary: RunSummary): string {
  const critical = summary.critical ?? summary.attention.filter((a) => a.severity === 'critical').length;
  const warnings = summary.warnings ?? summary.attention.filter((a) => a.severity === 'warning').length;
  const parts = [
    critical > 0 ? `${count.format(critical)} critical` : '',
    warnings > 0 ? `${count.format(warnings)} warning${warnings === 1 ? '' : 's'}` : '',
    summary.hostsUnreachable > 0 ? `${count.format(summary.hostsUnreachable)} unreachable` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'all clear';
}
