import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import {
  fleetConfigYaml,
  loadSshdVariants,
  runCli,
  syslogTime,
  writeFleetAuthLog,
  runReports,
} from '@infra-report/testkit';

/**
 * A real sshd host whose auth log holds the sshd variants corpus, reported by `infra-report run`:
 * the brute-force source made only of refusals and SunSSH lines is an alert in the PDF, the XLSX
 * and the email; scans show as probes beside the attempts; host names are marked as names.
 */
describe('failed logins and probes in the report', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-failed-logins-'));
  let pdfText = '';
  let failedSheet: Record<string, unknown>[] = [];
  let alertsSheet = '';
  let mailText = '';

  beforeAll(async () => {
    const { variants } = loadSshdVariants();
    const start = Date.now() - 3_600_000;
    const log = writeFleetAuthLog(
      'variants-report',
      variants.map((v, i) => `${syslogTime(new Date(start + i * 1000))} web1 ${v.tag} ${v.message}`),
    );
    const config = fleetConfigYaml(
      [{ index: 2, name: 'variants-report', authLog: log }],
      [
        'report:',
        `  output_dir: ${dir}/reports`,
        `  outbox_dir: ${dir}/outbox`,
        `  state_dir: ${dir}/state`,
        '  timezone: UTC',
        // One threshold for the brute-force finding and the attention list (issue 12 makes them one).
        '  thresholds: { failed_logins_warn: 10, brute_force_attempts: 10 }',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, 'config.yaml'), config);
    const result = await runCli(['run', '-c', path.join(dir, 'config.yaml')], {
      env: { REDIS_URL: '', INFLUX_URL: '' },
    });
    expect(result.stderr).not.toMatch(/Unhandled|TypeError/);
    expect(result.code).toBe(0);
    const reports = runReports(dir);
    pdfText = reports.pdfText;
    const workbook = XLSX.readFile(reports.xlsxFile);
    failedSheet = XLSX.utils.sheet_to_json<Record<string, unknown>>(workbook.Sheets['Failed Logins']!);
    alertsSheet = JSON.stringify(XLSX.utils.sheet_to_json(workbook.Sheets['Alerts']!));
    const outbox = readdirSync(path.join(dir, 'outbox'));
    mailText = (await simpleParser(readFileSync(path.join(dir, 'outbox', outbox[0]!)))).text ?? '';
  }, 120_000);

  it('raises the refusal-only brute-force source in the PDF, the XLSX and the email', () => {
    expect(pdfText).toMatch(/14 failed SSH logins from 203\.0\.113\.99/);
    expect(mailText).toContain('14 failed SSH logins from 203.0.113.99');
    expect(alertsSheet).toContain('14 failed SSH logins from 203.0.113.99');
    const row = failedSheet.find((r) => r['Source'] === '203.0.113.99');
    expect(row?.['Attempts']).toBe(14);
    expect(row?.['Probes (scans, pre-auth disconnects)']).toBe(1);
  });

  it('lists a quiet scanner with its probes and no attempts, and marks host-name sources', () => {
    const scanner = failedSheet.find((r) => r['Source'] === '203.0.113.50');
    expect(scanner?.['Attempts']).toBe(0);
    expect(scanner?.['Probes (scans, pre-auth disconnects)']).toBe(2);
    expect(failedSheet.map((r) => r['Source'])).toContain('gw.example.org (host name, not resolved)');
    expect(failedSheet.map((r) => r['Source'])).not.toContain('192.0.2.250');
    expect(pdfText).toMatch(/Probes/);
    // Over a hundred sources: the PDF shows 40, the largest first, and says where the rest are.
    expect(pdfText).toMatch(/Source\s+Attempts\s+Invalid\s+Probes\s+Hosts/);
    expect(pdfText).toMatch(/203\.0\.113\.99\s+14\s+\d+\s+1\s+1/);
    expect(pdfText).toMatch(/\d+ more row\(s\) not shown .* the XLSX sheet "Failed Logins" has all \d+/);
  });
});
