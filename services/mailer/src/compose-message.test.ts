import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RenderResult } from '@infra-report/shared';
import { sampleRun } from '@infra-report/testkit';
import { composeMessage } from './compose-message.js';

const result: RenderResult = {
  run: sampleRun().run,
  artifacts: [],
  summary: {
    hostsTotal: 201,
    hostsReporting: 200,
    hostsUnreachable: 1,
    attention: [],
    critical: 9,
    warnings: 1424,
    rebooted: 20,
    timezone: 'Europe/Paris',
    rollups: [
      { severity: 'critical', title: 'unreachable: connection refused by 10.9.9.9:22', hosts: 1, examples: 'offline1' },
      {
        severity: 'warning',
        title: '183.62.140.253: 57,200 failed SSH logins on 200 hosts',
        hosts: 200,
        examples: 'h001 286, h002 286, h003 286, and 197 more',
      },
      { severity: 'warning', title: '<b>unit</b> & co failed: 3 hosts', hosts: 3, examples: 'h1, h2, h3' },
    ],
    rollupsTotal: 40,
  },
};

describe('the email', () => {
  const message = composeMessage(result, 'Daily Infrastructure Report');

  it('says the verdict in its subject and the totals first, with times in the report zone', () => {
    expect(message.subject).toBe(
      'Daily Infrastructure Report - 2026-11-22 - 9 critical, 1,424 warnings, 1 unreachable',
    );
    const lines = message.text.split('\n');
    expect(lines[0]).toBe('Daily Infrastructure Report for 2026-11-22: 9 critical, 1,424 warnings, 1 unreachable');
    expect(lines[2]).toBe('200 of 201 hosts reported, 1 unreachable, 20 rebooted.');
    expect(lines[3]).toBe('Window: 2026-11-21 08:00 – 2026-11-22 08:00 (Europe/Paris)');
    expect(message.text).toContain('  WARNING  183.62.140.253: 57,200 failed SSH logins on 200 hosts');
    expect(message.text).toContain('and 37 more finding(s)');
  });

  it('renders its HTML with a header row and every finding in a real headless browser', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-email-html-'));
    writeFileSync(path.join(dir, 'email.html'), message.html);
    execFileSync(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-pdf-header-footer',
        `--user-data-dir=${path.join(dir, 'profile')}`,
        `--print-to-pdf=${path.join(dir, 'email.pdf')}`,
        `file://${path.join(dir, 'email.html')}`,
      ],
      { stdio: 'ignore', timeout: 60_000 },
    );
    const shown = execFileSync('pdftotext', ['-layout', path.join(dir, 'email.pdf'), '-'], { encoding: 'utf8' });
    expect(shown).toMatch(/Severity\s+Finding\s+Hosts\s+Where/);
    // Cells wrap in the page width; the row holds severity, finding, host count and where.
    expect(shown).toMatch(/WARNING\s+183\.62\.140\.253: 57,200 failed SSH logins\s+200\s+h001 286, h002 286/);
    // Text from hosts and logs is shown as text, never as markup.
    expect(shown).toContain('<b>unit</b> & co failed: 3 hosts');
    expect(shown).toContain('and 37 more finding(s)');
    expect(shown).toContain('9 critical, 1,424 warnings, 1 unreachable');
  }, 90_000);
});

describe('the email with hostile data', () => {
  it('shows control characters as the PDF and XLSX do, and cuts a 10,000-character name', () => {
    const hostile: RenderResult = {
      ...result,
      summary: {
        ...result.summary,
        rollups: [
          {
            severity: 'warning',
            title: `invalid user ${'a'.repeat(10_000)}: 1 failed SSH login`,
            hosts: 1,
            examples: 'web01\u001b[2J\u0007',
          },
        ],
        rollupsTotal: 1,
      },
    };
    const message = composeMessage(hostile, 'Daily Infrastructure Report', []);
    const lines = message.text.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(250);
    expect(message.text).toContain('… (10033 characters)');
    expect(message.text).toContain('web01^[[2J^G');
    expect(message.text).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(message.html).toContain('web01^[[2J^G');
  });
});
