import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { diskCommand, parseDfOutput } from './disk.js';

describe('parseDfOutput', () => {
  it("reads this machine's real df output, byte for byte", () => {
    const output = execFileSync('/bin/sh', ['-c', diskCommand], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C' },
    });
    const parsed = parseDfOutput(output);
    const root = parsed.value.find((fs) => fs.mount === '/');
    expect(root).toBeDefined();
    const [, size, used, available] =
      execFileSync('df', ['-P', '-B1', '/'], { encoding: 'utf8' }).split('\n')[1]?.trim().split(/\s+/) ?? [];
    expect(root?.sizeBytes).toBe(Number(size));
    expect(root?.usedBytes).toBeCloseTo(Number(used), -7); // a live filesystem moves between two df calls
    expect(root?.availableBytes).toBeCloseTo(Number(available), -7);
    expect(parsed.value.every((fs) => !['tmpfs', 'devtmpfs', 'proc'].includes(fs.fsType))).toBe(true);
  });

  it('keeps mount points with spaces and computes Use% as df does', () => {
    const parsed = parseDfOutput(
      [
        'Filesystem     Type  1-blocks        Used   Available Capacity Mounted on',
        '/dev/sdb1      xfs   1000000000  333333333   600000000      36% /srv/my data',
        'tmpfs          tmpfs 100         0           100             0% /run',
      ].join('\n'),
    );
    expect(parsed.value).toEqual([
      {
        device: '/dev/sdb1',
        fsType: 'xfs',
        mount: '/srv/my data',
        sizeBytes: 1000000000,
        usedBytes: 333333333,
        availableBytes: 600000000,
        usedPercent: 36,
        inodesTotal: null,
        inodesUsed: null,
        inodesFree: null,
      },
    ]);
  });

  it('reports df errors and odd lines as problems instead of numbers', () => {
    const parsed = parseDfOutput('df: /mnt/nfs: Stale file handle\n/dev/sda1 ext4 abc 1 2 3% /\n');
    expect(parsed.value).toEqual([]);
    expect(parsed.problems).toEqual([
      'df: /mnt/nfs: Stale file handle',
      'unexpected df line: /dev/sda1 ext4 abc 1 2 3% /',
    ]);
  });
});
