import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diskCommand, parseDfOutput, parseDiskSection } from './disk.js';

/** The disk section as a host runs it, with `bin` first on PATH (fake df or timeout). */
const runDisk = (bin?: string) =>
  execFileSync('/bin/sh', ['-c', `(${diskCommand}\n) 2>&1; echo "rc $?"`], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C', ...(bin ? { PATH: `${bin}:${process.env.PATH}` } : {}) },
  });

/** A directory with an executable `name` holding `script`; calls are counted in ./calls. */
function fakeCommand(name: string, script: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-fake-df-'));
  writeFileSync(path.join(dir, name), `#!/bin/sh\necho "$*" >> ${dir}/calls\n${script}\n`);
  chmodSync(path.join(dir, name), 0o755);
  return dir;
}

/** Size, used, available and inodes of / as the system's df prints them. */
function rootFigures() {
  const [, size, used, available] =
    execFileSync('df', ['-P', '-B1', '/'], { encoding: 'utf8' }).split('\n')[1]?.trim().split(/\s+/) ?? [];
  const [, inodes] =
    execFileSync('df', ['-P', '-i', '/'], { encoding: 'utf8' }).split('\n')[1]?.trim().split(/\s+/) ?? [];
  return { size: Number(size), used: Number(used), available: Number(available), inodes: Number(inodes) };
}

describe('the disk section', () => {
  it("reads this machine's real df output, byte for byte, blocks and inodes from one df", () => {
    const output = runDisk();
    expect(output).toMatch(/ IFree Mounted on\n/);
    expect(output).toMatch(/rc 0\n$/);
    const parsed = parseDiskSection(output.replace(/rc 0\n$/, ''));
    expect(parsed.problems).toEqual([]);
    const root = parsed.value.find((fs) => fs.mount === '/');
    const figures = rootFigures();
    expect(root?.sizeBytes).toBe(figures.size);
    expect(root?.usedBytes).toBeCloseTo(figures.used, -7); // a live filesystem moves between two df calls
    expect(root?.availableBytes).toBeCloseTo(figures.available, -7);
    expect(root?.inodesTotal).toBe(figures.inodes);
    expect((root?.inodesUsed ?? Infinity) + (root?.inodesFree ?? Infinity)).toBeLessThanOrEqual(figures.inodes);
    expect(parsed.value.every((fs) => !['tmpfs', 'devtmpfs', 'proc'].includes(fs.fsType))).toBe(true);
  });

  it('falls back to two POSIX dfs where df has no --output (busybox), with the same figures', () => {
    const bin = fakeCommand(
      'df',
      `case "$*" in *--output*) echo "df: unrecognized option '--output=x'" >&2; echo 'BusyBox v1.36.1 multi-call binary.' >&2; exit 1;; esac\nexec ${execFileSync('sh', ['-c', 'command -v df'], { encoding: 'utf8' }).trim()} "$@"`,
    );
    const output = runDisk(bin);
    expect(output).toMatch(/^ir-df-posix\n/m);
    const parsed = parseDiskSection(output.replace(/rc 0\n$/, ''));
    expect(parsed.problems).toEqual([]);
    const root = parsed.value.find((fs) => fs.mount === '/');
    const figures = rootFigures();
    expect(root?.sizeBytes).toBe(figures.size);
    expect(root?.inodesTotal).toBe(figures.inodes);
    expect(readFileSync(path.join(bin, 'calls'), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('does not run df again after it timed out on a hung mount', () => {
    const bin = fakeCommand('timeout', "echo 'df: /mnt/nfs: hung' >&2; exit 124");
    const output = runDisk(bin);
    expect(output).toBe('df: /mnt/nfs: hung\nrc 124\n');
    expect(readFileSync(path.join(bin, 'calls'), 'utf8')).toMatch(/^30 df -B1 --output=\S+\n$/);
    expect(parseDiskSection('df: /mnt/nfs: hung\n').problems).toEqual(['df: /mnt/nfs: hung']);
  });

  it('keeps mount points with spaces in both forms, and unknown inodes as unknown', () => {
    const parsed = parseDiskSection(
      [
        'Filesystem Type 1B-blocks Used Avail Inodes IUsed IFree Mounted on',
        '/dev/sdb1  xfs  1000000000 333333333 600000000 500 20 480 /srv/my data',
        '/dev/sdc1  btrfs 2000 1000 1000 0 0 0 /data',
        '/dev/sdd1  vfat 2000 1000 1000 - - - /boot/efi',
        'tmpfs      tmpfs 100 0 100 10 1 9 /run',
      ].join('\n'),
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.value.map((fs) => [fs.mount, fs.usedPercent, fs.inodesTotal, fs.inodesFree])).toEqual([
      ['/srv/my data', 36, 500, 480],
      ['/data', 50, null, null],
      ['/boot/efi', 50, null, null],
    ]);
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
