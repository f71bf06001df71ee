import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { createFilesystemArtifactStore, parseConfig, silentLogger, verdict } from '@infra-report/shared';
import { fleetRun } from '@infra-report/testkit';
import { renderRun } from './render-run.js';

/** Renders a fleet run; returns the PDF's pages as text, the page count, the XLSX and the summary. */
async function renderFleet(hosts: number) {
  const dir = mkdtempSync(path.join(tmpdir(), `ir-fleet-${hosts}-`));
  const report = parseConfig('report: { timezone: UTC }\n', 't.yaml', { env: {} }).report;
  const result = await renderRun(fleetRun(hosts), {
    artifacts: createFilesystemArtifactStore(dir),
    report,
    now: () => new Date('2026-11-22T07:05:00Z'),
    logger: silentLogger(),
  });
  const pdf = path.join(dir, 'infrastructure-report-2026-11-22.pdf');
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))?.[1]);
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).split('\f');
  const workbook = XLSX.read(readFileSync(path.join(dir, 'infrastructure-report-2026-11-22.xlsx')));
  return { pages, text, workbook, summary: result.summary };
}

describe('the report at fleet size', () => {
  it('keeps 20 hosts that share their findings within 12 pages, and 200 within 40', async () => {
    expect((await renderFleet(20)).pages).toBeLessThanOrEqual(12);
    expect((await renderFleet(200)).pages).toBeLessThanOrEqual(40);
  }, 60_000);

  it('answers "what needs me today" across the fleet on the first page, with one set of numbers everywhere', async () => {
    const { text, workbook, summary } = await renderFleet(200);
    const first = text[0] ?? '';
    expect(first).toMatch(/CRITICAL\s+unreachable: connection refused by 10\.9\.9\.9:22/);
    expect(first).toMatch(/WARNING\s+183\.62\.140\.253: 57,200 failed SSH logins on 200 hosts\s+200/);
    expect(first).toMatch(/WARNING\s+185\.190\.58\.151: 3,600 failed SSH logins on 200 hosts/);
    expect(first).toMatch(/CRITICAL\s+filesystems over the critical threshold: 8 hosts\s+8\s+h001 \/ 97%/);
    expect(first).toMatch(/rebooted: 20 hosts/);
    // Logwatch's staples roll up too.
    expect(first).toMatch(/CRITICAL\s+kernel: 2 I\/O errors \(sdb\)\s+1\s+h004/);
    expect(first).toMatch(/security updates pending: 29 hosts \(87 in all\)/);
    expect(first).toMatch(/reboot required: 14 hosts/);
    expect(first).toMatch(/kernel OOM kills: 10 hosts \(10 in all\)/);
    expect(first).toMatch(/clock not synchronised: 2 hosts/);
    expect(text.join('\n')).toMatch(/page 1 of \d+/);
    // Expected for a collection without root: said once, not per host.
    expect(text.join('\n').match(/could not be inspected/g)?.length).toBeLessThanOrEqual(2);

    // The same counts in the PDF summary, the XLSX, the email's summary and its subject.
    const summaryRow =
      /Hosts\s+Reporting\s+Unreachable\s+Critical\s+Warnings.*\n\s*([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)/.exec(
        first,
      );
    const [hostsTotal, , unreachable, critical, warnings] = (summaryRow?.slice(1) ?? []).map((n) =>
      Number(n.replace(/,/g, '')),
    );
    const sheet = Object.fromEntries(
      XLSX.utils
        .sheet_to_json<{ Item: string; Value: unknown }>(workbook.Sheets['Summary']!)
        .map((r) => [r.Item, r.Value]),
    );
    expect([hostsTotal, unreachable, critical, warnings]).toEqual([201, 1, 10, 1_479]);
    expect([sheet['Hosts'], sheet['Hosts unreachable'], sheet['Critical items'], sheet['Warnings']]).toEqual([
      201, 1, 10, 1_479,
    ]);
    expect([summary.hostsTotal, summary.hostsUnreachable, summary.critical, summary.warnings]).toEqual([
      201, 1, 10, 1_479,
    ]);
    expect(verdict(summary)).toBe('10 critical, 1,479 warnings, 1 unreachable');
    expect(XLSX.utils.sheet_to_json(workbook.Sheets['Alerts']!)).toHaveLength(10 + 1_479);
  }, 60_000);
});
