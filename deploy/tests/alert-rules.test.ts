import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@infra-report/testkit';

const run = promisify(execFile);
const filesDir = path.join(repoRoot, 'helm/infra-report/files');

/** promtool (Debian's prometheus package): exit status and output, never a throw. */
async function promtool(args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe('the Prometheus alert rules (helm/infra-report/files/rules.yaml)', () => {
  it('are valid rules', async () => {
    const check = await promtool(['check', 'rules', 'rules.yaml'], filesDir);
    expect(check.output).toContain('SUCCESS: 8 rules found');
    expect(check.code).toBe(0);
  });

  it('pass their unit tests: each alert fires when it should and stays quiet when it should not', async () => {
    const tests = await promtool(['test', 'rules', 'rules.test.yaml'], filesDir);
    expect(tests.output).toContain('SUCCESS');
    expect(tests.code).toBe(0);
  });

  it('have unit tests that catch a wrong threshold', async () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'ir-rules-'));
    cpSync(filesDir, copy, { recursive: true });
    const rules = path.join(copy, 'rules.yaml');
    writeFileSync(
      rules,
      readFileSync(rules, 'utf8').replace('> 26 * 3600', '> 30 * 3600').replace(') > 0.2', ') > 0.5'),
    );
    const tests = await promtool(['test', 'rules', 'rules.test.yaml'], copy);
    expect(tests.code).not.toBe(0);
    expect(tests.output).toContain('alertname: InfraReportNotDelivered');
    expect(tests.output).toContain('alertname: InfraReportCollectFailureRatioHigh');
  });
});
