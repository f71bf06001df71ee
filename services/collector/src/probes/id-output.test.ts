import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseIdOutput } from './id-output.js';

describe('parseIdOutput', () => {
  it("reads this machine's id, and as GNU and busybox write it", () => {
    expect(parseIdOutput(execFileSync('id', { encoding: 'utf8' }))?.user).toBe(userInfo().username);
    expect(
      parseIdOutput('uid=1001(report) gid=1001(report) groups=1001(report),4(adm),190(systemd-journal)\n'),
    ).toEqual({
      user: 'report',
      groups: ['report', 'adm', 'systemd-journal'],
    });
    // A uid or group without a name in the host's database stays a number.
    expect(parseIdOutput('uid=5000 gid=5000 groups=5000,27(sudo)')).toEqual({ user: '5000', groups: ['5000', 'sudo'] });
    expect(parseIdOutput('uid=0(root) gid=0(root) groups=0(root) context=unconfined_u:unconfined_r')).toEqual({
      user: 'root',
      groups: ['root'],
    });
  });

  it('gives null for what is not id output', () => {
    expect(parseIdOutput('')).toBeNull();
    expect(parseIdOutput('sh: 1: id: not found')).toBeNull();
    expect(parseIdOutput('gid=1(x) groups=1(x)')).toBeNull();
  });
});
