import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ReportModel } from '../report-model.js';
import { alertsFiredSheet, alertsSheet } from './sheets/alerts.js';
import { sinceYesterdaySheet } from './sheets/changes.js';
import { disksSheet } from './sheets/disks.js';
import { certificatesSheet, healthSheet } from './sheets/health.js';
import { failedLoginsSheet, loginsSheet, privilegeSheet } from './sheets/logins.js';
import { backupsSheet, processesSheet } from './sheets/processes.js';
import { resourcesSheet } from './sheets/resources.js';
import { securitySheet } from './sheets/security.js';
import { hostsSheet, overviewSheet, summarySheet } from './sheets/summary.js';
import { errorsSheet, readingsSheet, unreachableSheet } from './sheets/unreachable.js';
import { uptimeSheet } from './sheets/uptime.js';

export { asLocalWallTime } from './workbook.js';

/**
 * Renders the report model as an XLSX with the streaming writer (rows are committed as they
 * are written, so memory stays bounded for large fleets). Collected text is always written as
 * a string value: a username like "=HYPERLINK(...)" stays text, never a formula. One sheet
 * builder each (sheets/), in this order.
 */
export async function renderXlsx(model: ReportModel): Promise<Buffer> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  workbook.creator = 'infra-report';
  workbook.created = model.generatedAt;
  summarySheet(workbook, model);
  overviewSheet(workbook, model);
  alertsSheet(workbook, model);
  alertsFiredSheet(workbook, model);
  sinceYesterdaySheet(workbook, model);
  hostsSheet(workbook, model);
  disksSheet(workbook, model);
  loginsSheet(workbook, model);
  failedLoginsSheet(workbook, model);
  uptimeSheet(workbook, model);
  healthSheet(workbook, model);
  certificatesSheet(workbook, model);
  resourcesSheet(workbook, model);
  securitySheet(workbook, model);
  privilegeSheet(workbook, model);
  processesSheet(workbook, model);
  backupsSheet(workbook, model);
  unreachableSheet(workbook, model);
  errorsSheet(workbook, model);
  readingsSheet(workbook, model);
  const done = new Promise<void>((resolve, reject) => {
    output.on('end', resolve);
    output.on('error', reject);
  });
  await workbook.commit();
  await done;
  return Buffer.concat(chunks);
}
