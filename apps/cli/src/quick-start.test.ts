import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { formatBytes } from '@infra-report/renderer';
import { runCli } from '@infra-report/testkit';

/** The README's first command: a report of this machine with no configuration and no services. */
describe('infra-report run with no configuration', () => {
  it('reports this machine: PDF with its filesystems as df -B1 gives them, XLSX, and an .eml with both', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-quickstart-'));
    const env = { REDIS_URL: '', INFLUX_URL: '', INFRA_REPORT_CONFIG: '' };
    const result = await runCli(['run'], { cwd: dir, env });
    expect(result.stderr).toContain(`collecting this machine (${hostname()})`);
    expect(result.code).toBe(0);

    const reports = readdirSync(path.join(dir, 'reports')).sort();
    expect(reports).toEqual([
      expect.stringMatching(/^infrastructure-report-\d{4}-\d{2}-\d{2}\.pdf$/),
      expect.stringMatching(/\.xlsx$/),
    ]);
    const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'reports', reports[0]!), '-'], {
      encoding: 'utf8',
    });
    expect(text).toContain(hostname());
    // Every real filesystem df -B1 lists, with its size, as the report shows it.
    const df = execFileSync('df', ['-P', '-B1', '-x', 'tmpfs', '-x', 'devtmpfs'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .slice(1);
    expect(df.length).toBeGreaterThan(0);
    for (const line of df) {
      const fields = line.trim().split(/\s+/);
      const mount = fields.slice(5).join(' ');
      expect(text).toMatch(
        new RegExp(
          `${mount.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s+\\S+\\s+${formatBytes(Number(fields[1])).replace('.', '\\.')}`,
        ),
      );
    }

    const workbook = XLSX.readFile(path.join(dir, 'reports', reports[1]!));
    expect(workbook.SheetNames).toEqual(
      expect.arrayContaining(['Summary', 'Disk Usage', 'User Logins', 'Uptime', 'Unreachable Hosts']),
    );
    const disks = XLSX.utils.sheet_to_json<Record<string, unknown>>(workbook.Sheets['Disk Usage']!);
    const rootSize = Number(
      execFileSync('df', ['-P', '-B1', '/'], { encoding: 'utf8' }).split('\n')[1]?.trim().split(/\s+/)[1],
    );
    expect(disks.find((d) => d['Mount'] === '/')?.['Size (bytes)']).toBe(rootSize);

    const outbox = readdirSync(path.join(dir, 'outbox'));
    expect(outbox).toHaveLength(1);
    const mail = await simpleParser(readFileSync(path.join(dir, 'outbox', outbox[0]!)));
    expect(mail.attachments.map((a) => a.filename)).toEqual(reports);
  });

  it('fails with the key path when the configuration is wrong', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-badconfig-'));
    const file = path.join(dir, 'bad.yaml');
    execFileSync('sh', ['-c', `printf 'hosts:\\n  - name: web01\\n    ssh: { port: 70000 }\\n' > ${file}`]);
    const result = await runCli(['run', '-c', file], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`invalid configuration in ${file}:`);
    expect(result.stderr).toMatch(/hosts\[0\]\.ssh\.port: .*65535/);
  });

  it('init writes a starting configuration that check-config accepts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-init-'));
    const init = await runCli(['init'], { cwd: dir });
    expect(init.code).toBe(0);
    const again = await runCli(['init'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const check = await runCli(['check-config', '-c', 'infra-report.yaml'], {
      cwd: dir,
      env: { REDIS_URL: '', INFLUX_URL: '' },
    });
    expect(check.stderr).toContain('infra-report.yaml: valid, 1 host(s)');
    expect(check.stderr).toMatch(/ok\s+\S+ \(local, no SSH\)/);
    expect(check.code).toBe(0);
  });
});
