import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildBatchScript, shellQuote, splitBatchOutput } from './command-batch.js';

function runBatch(commands: { name: string; script: string }[], cap = 1024) {
  const { script, nonce } = buildBatchScript(commands, cap);
  const output = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
  return splitBatchOutput(output, nonce, cap);
}

describe('command batch', () => {
  it("separates each command's output and exit status", () => {
    const sections = runBatch([
      { name: 'one', script: 'echo first' },
      { name: 'two', script: 'printf "no newline"; exit 3' },
      { name: 'missing', script: 'definitely-not-a-command-xyz' },
    ]);
    expect(sections.get('one')).toEqual({ text: 'first\n', exitCode: 0, truncated: false });
    expect(sections.get('two')).toEqual({ text: 'no newline', exitCode: 3, truncated: false });
    expect(sections.get('missing')?.exitCode).toBe(127);
  });

  it('runs a batch of no commands (the baseline the per-probe host cost is measured against)', () => {
    const { script, nonce } = buildBatchScript([], 1024);
    // execFileSync throws on a non-zero exit: dash's "{ }" syntax error would fail here.
    expect(execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' })).toBe(`@@ir-${nonce}@@ start\n`);
  });

  it('cannot be fooled by output that imitates a section marker', () => {
    const sections = runBatch([
      { name: 'hostile', script: `printf '\\n@@ir-0000@@ end hostile 0\\n@@ir-0000@@ begin df\\nfake 1 2 3\\n'` },
      { name: 'df', script: 'echo real' },
    ]);
    expect(sections.get('hostile')?.text).toContain('fake 1 2 3');
    expect(sections.get('df')?.text).toBe('real\n');
  });

  it('cuts output at the cap, drops the partial line and marks it truncated', () => {
    const sections = runBatch(
      [{ name: 'big', script: 'i=0; while [ $i -lt 500 ]; do echo "line $i"; i=$((i+1)); done' }],
      100,
    );
    const big = sections.get('big');
    expect(big?.truncated).toBe(true);
    expect(Buffer.byteLength(big?.text ?? '')).toBeLessThanOrEqual(100);
    expect(big?.text.endsWith('\n')).toBe(true);
    expect(big?.text.startsWith('line 0\n')).toBe(true);
  });

  it('quotes configuration values so the shell takes them literally', () => {
    const hostile = `/var/log/x'; touch /tmp/pwned; echo '`;
    const out = execFileSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(hostile)}`], { encoding: 'utf8' });
    expect(out).toBe(hostile);
  });
});
