import type { reportSectionNames } from '@infra-report/shared';

export type ReportSection = (typeof reportSectionNames)[number];

/** The XLSX's sheets, by what they hold; the PDF names them where it shows only part of a table. */
export const sheets = {
  summary: 'Summary',
  overview: 'Overview',
  alerts: 'Alerts',
  alertsFired: 'Alerts Fired',
  sinceYesterday: 'Since Yesterday',
  hosts: 'Hosts',
  disks: 'Disk Usage',
  logins: 'User Logins',
  failedLogins: 'Failed Logins',
  uptime: 'Uptime',
  health: 'Health',
  certificates: 'Certificates',
  resources: 'Resources',
  security: 'Security',
  privilege: 'Privilege Use',
  processes: 'Processes',
  backups: 'Backups',
  unreachable: 'Unreachable Hosts',
  errors: 'Errors',
  readings: 'Readings',
} as const;

/**
 * The report's sections (`report.sections`) in order, each with its PDF heading (the summary
 * page links to it) and the XLSX sheets that hold its data.
 */
export const reportSections: Record<ReportSection, { title: string; sheets: (typeof sheets)[keyof typeof sheets][] }> =
  {
    summary: { title: 'Needs attention', sheets: [sheets.summary, sheets.overview, sheets.hosts] },
    alerts: { title: 'Alerts', sheets: [sheets.alerts, sheets.alertsFired] },
    changes: { title: 'Changed since yesterday', sheets: [sheets.sinceYesterday] },
    disks: { title: 'Disk Usage', sheets: [sheets.disks] },
    logins: { title: 'User Logins', sheets: [sheets.logins, sheets.failedLogins, sheets.privilege] },
    uptime: { title: 'System Uptime and Reboots', sheets: [sheets.uptime] },
    health: { title: 'Kernel, Updates and Clock', sheets: [sheets.health, sheets.certificates] },
    resources: { title: 'Resources', sheets: [sheets.resources] },
    security: { title: 'Security Findings', sheets: [sheets.security] },
    processes: { title: 'Processes and Failed Units', sheets: [sheets.processes] },
    backups: { title: 'Backups', sheets: [sheets.backups] },
    unreachable: { title: 'Unreachable Hosts', sheets: [sheets.unreachable] },
    errors: { title: 'Collection Problems', sheets: [sheets.errors] },
    appendix: { title: 'Appendix: hosts', sheets: [sheets.readings] },
  };

/** The PDF destination a section's heading sets. */
export const anchorOf = (title: string) => `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
