import { describe, expect, it } from 'vitest';
import { cmdLineLimit, compact, stdinBootstrap, windowsCommand, windowsScript } from './windows-script.js';

const decode = (command: string) => Buffer.from(command.split(' ').at(-1)!, 'base64').toString('utf16le');

describe('the Windows script and how it is sent', () => {
  it('reads each channel after its bookmark, or from the window on a first run', () => {
    const since = new Date('2026-12-05T06:00:00Z');
    const first = windowsScript({}, since);
    expect(first).toContain(
      "filter = '*[System[(EventID=4624 or EventID=4625 or EventID=1102) and TimeCreated[@SystemTime>=''2026-12-05T06:00:00.000Z'']]]'",
    );
    const next = windowsScript({ Security: 1234, 'OpenSSH/Operational': 77 }, since);
    expect(next).toContain(
      "filter = '*[System[(EventID=4624 or EventID=4625 or EventID=1102) and EventRecordID > 1234]]'; bookmark = 1234",
    );
    expect(next).toContain(
      "name = 'OpenSSH/Operational'; filter = '*[System[(EventID=4) and EventRecordID > 77]]'; bookmark = 77",
    );
    // Read-only: nothing that changes the host.
    expect(next).not.toMatch(/\b(Set|Remove|Clear|Stop|Restart|Disable|Enable|Limit|Write)-[A-Z]/);
    expect(next).toContain('-----BEGIN INFRA-REPORT WINDOWS-----`r`n');
  });

  it('goes on the command line encoded as UTF-16LE base64, within cmd.exe’s limit', () => {
    const script = windowsScript({ Security: 1 }, new Date());
    const { command, stdin } = windowsCommand(script);
    expect(command.startsWith('powershell.exe -NoProfile -NonInteractive -EncodedCommand ')).toBe(true);
    expect(command.length).toBeLessThanOrEqual(cmdLineLimit);
    expect(stdin).toBe('');
    expect(decode(command)).toBe(compact(script));
  });

  it('past the limit, a short bootstrap reads the script from stdin', () => {
    const long = `${windowsScript({}, new Date())}\n# ${'x'.repeat(10_000)}`;
    const { command, stdin } = windowsCommand(long);
    expect(command.length).toBeLessThan(400);
    expect(decode(command)).toBe(stdinBootstrap);
    expect(stdin).toBe(long);
  });
});
