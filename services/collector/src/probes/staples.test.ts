import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { helpers } from './command-batch.js';
import { clockSyncCommand, parseClockSync } from './clock-sync.js';
import { kernelEventsCommand, parseKernelEvents } from './kernel-events.js';
import { parseUpdates, updatesCommand } from './updates.js';

const sh = (script: string) => execFileSync('sh', ['-c', [...helpers, script].join('\n')], { encoding: 'utf8' });
const now = new Date('2026-11-22T07:00:00Z');
const windowStart = new Date('2026-11-21T07:00:00Z');
const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);

describe('kernel trouble in the window', () => {
  // Lines as the kernel writes them (mm/oom_kill.c, block/blk-core.c, fs/buffer.c, fs/ext4,
  // arch/x86/mm/fault.c, kernel/hung_task.c, mce), as `journalctl -k -o short-unix` prints them.
  const journal = [
    'ir-kernel journal uid=1001(report) gid=1001(report) groups=1001(report),4(adm)',
    `${at('2026-11-20T10:00:00Z')}.000001 web1 kernel: Out of memory: Killed process 999 (old) total-vm:1kB`,
    `${at('2026-11-21T10:00:00Z')}.000001 web1 kernel: Out of memory: Killed process 4242 (mysqld) total-vm:8123456kB, anon-rss:7654321kB, file-rss:0kB, shmem-rss:0kB, UID:112 pgtables:15000kB oom_score_adj:0`,
    `${at('2026-11-21T10:00:01Z')}.000001 web1 kernel: oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/java.service,task=java,pid=5151,uid=1001`,
    `${at('2026-11-21T11:00:00Z')}.000001 web1 kernel: I/O error, dev sdb, sector 123456 op 0x0:(READ) flags 0x80700 phys_seg 1 prio class 0`,
    `${at('2026-11-21T11:00:01Z')}.000001 web1 kernel: Buffer I/O error on dev sdb1, logical block 15432, lost async page write`,
    `${at('2026-11-21T12:00:00Z')}.000001 web1 kernel: EXT4-fs error (device sdb1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0`,
    `${at('2026-11-21T13:00:00Z')}.000001 web1 kernel: php-fpm8.2[31337]: segfault at 0 ip 000055d1c2a0f2b4 sp 00007ffd5b1f8e80 error 4 in php-fpm8.2[55d1c2800000+3c5000]`,
    `${at('2026-11-21T14:00:00Z')}.000001 web1 kernel: INFO: task jbd2/sda1-8:312 blocked for more than 120 seconds.`,
    `${at('2026-11-21T15:00:00Z')}.000001 web1 kernel: mce: [Hardware Error]: Machine check events logged`,
    'garbage line',
  ].join('\n');

  it('counts OOM kills, I/O and filesystem errors, segfaults, hung tasks and hardware errors of the window', () => {
    const parsed = parseKernelEvents(journal, { hostNow: now, windowStart });
    expect(parsed.problems).toEqual([]);
    expect(parsed.value?.counts).toEqual({
      'oom-kill': 2,
      'io-error': 2,
      'fs-error': 1,
      segfault: 1,
      'hung-task': 1,
      hardware: 1,
    });
    expect(parsed.value?.examples.filter((e) => e.kind === 'oom-kill').map((e) => e.subject)).toEqual([
      'mysqld',
      'java',
    ]);
    expect(parsed.value?.examples.find((e) => e.kind === 'segfault')?.subject).toBe('php-fpm8.2');
  });

  it('reads dmesg stamps as seconds since boot, and says plainly when the kernel log is closed to the user', () => {
    const uptime = 3600;
    const parsed = parseKernelEvents(
      `ir-kernel dmesg ${uptime}\n[ 3000.123456] Out of memory: Killed process 1 (x) total-vm:1kB\n`,
      { hostNow: now, windowStart },
    );
    expect(parsed.value?.counts).toEqual({ 'oom-kill': 1 });
    expect(parsed.value?.examples[0]?.time).toBe(
      new Date(now.getTime() - 600_000 + 123).toISOString().replace(/\.\d+Z$/, '.123Z'),
    );
    const closed = parseKernelEvents('ir-kernel unreadable report\n', { hostNow: now, windowStart });
    expect(closed.value).toBeNull();
    expect(closed.problems[0]).toMatch(/not readable as user report: add it to group systemd-journal/);
  });

  it('runs on this machine and reports where it read from', () => {
    const parsed = parseKernelEvents(sh(kernelEventsCommand(Date.now() / 1000 - 86400)), {
      hostNow: new Date(),
      windowStart: new Date(Date.now() - 86_400_000),
    });
    expect(parsed.value === null ? 'unreadable' : parsed.value.source).toMatch(/journal|dmesg|unreadable/);
  });
});

describe('pending updates', () => {
  /** collect.max_output_bytes' default. */
  const cap = 16 * 1024 * 1024;
  it('simulates the upgrade once, then answers "unchanged" without running apt while the package state stays', () => {
    const first = sh(updatesCommand(null, { maxBytes: cap }));
    const parsed = parseUpdates(first, null);
    expect(parsed.problems).toEqual([]);
    expect(parsed.value?.unchanged).toBe(false);
    const updates = parsed.value!.updates;
    expect(updates.manager).toBe('apt');
    expect(updates.pending).toBeGreaterThanOrEqual(0);
    expect(updates.security).toBeLessThanOrEqual(updates.pending ?? 0);
    // The stamp's form is what every host's remembered state holds: a change would make every
    // host simulate again after an upgrade of infra-report.
    const mtime = (file: string) => Math.floor(statSync(file).mtimeMs / 1000);
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    expect(updates.stamp).toBe(`apt ${mtime('/var/lib/apt/lists')} ${mtime('/var/lib/dpkg/status')} ${bootId}`);
    // Same stamp: no simulation, the remembered result comes back.
    const second = sh(updatesCommand(updates.stamp, { maxBytes: cap }));
    expect(second).toContain('ir-unchanged');
    expect(second).not.toMatch(/^Inst /m);
    expect(parseUpdates(second, updates).value).toEqual({
      updates: { ...updates, answer: 'unchanged', checkCpuMs: 0 },
      unchanged: true,
    });
  });

  /** A directory whose apt-get reports its own niceness and I/O class, after a little CPU work. */
  function fakeApt(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-fake-apt-'));
    writeFileSync(
      path.join(dir, 'apt-get'),
      [
        '#!/bin/sh',
        'i=0; while [ $i -lt 300000 ]; do i=$((i + 1)); done',
        'echo "Inst nice$(nice)-$(ionice -p $$ | tr -d \' :\') [1] (2 Debian-Security:12/stable-security [amd64])"',
      ].join('\n'),
      { mode: 0o755 },
    );
    return dir;
  }
  const withPath = (dir: string, script: string) =>
    execFileSync('sh', ['-c', [...helpers, script].join('\n')], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}:${process.env['PATH']}` },
    });

  it('simulates at the lowest CPU and I/O priority and measures what it cost', () => {
    const parsed = parseUpdates(
      withPath(fakeApt(), updatesCommand(null, { maxBytes: cap, notifierFile: '/nonexistent' })),
      null,
      now,
    );
    expect(parsed.value?.updates).toMatchObject({
      answer: 'simulated',
      securityPackages: ['nice19-idle'],
      checkedAt: now.toISOString(),
    });
    expect(parsed.value?.updates.checkCpuMs).toBeGreaterThan(0);
  });

  it('cuts an endless simulation on the host at the output cap, and still measures its cost', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-endless-apt-'));
    // An apt-get that never stops printing package lines (a broken or hostile host).
    writeFileSync(
      path.join(dir, 'apt-get'),
      '#!/bin/sh\nwhile :; do echo "Inst pkg [1] (2 Debian:12/stable [amd64])"; done\n',
      {
        mode: 0o755,
      },
    );
    const output = withPath(dir, updatesCommand(null, { maxBytes: 4096, notifierFile: '/nonexistent' }));
    const installs = output.split('\n').filter((l) => l.startsWith('Inst '));
    expect(installs.join('\n').length).toBeLessThanOrEqual(4097);
    expect(installs.length).toBeGreaterThan(50);
    expect(output).toMatch(/^ir-cost-ticks \d+$/m);
  });

  it('defers a changed package state checked less than a day ago, keeping the answer and its stamp', () => {
    const previous = parseUpdates(
      withPath(fakeApt(), updatesCommand(null, { maxBytes: cap, notifierFile: '/nonexistent' })),
      null,
      now,
    ).value!.updates;
    const output = withPath(
      fakeApt(),
      updatesCommand('apt 1 2 an-older-state', { maxBytes: cap, recentlyChecked: true, notifierFile: '/nonexistent' }),
    );
    expect(output).toContain('ir-deferred');
    expect(output).not.toMatch(/^Inst /m);
    const deferred = parseUpdates(output, { ...previous, stamp: 'apt 1 2 an-older-state' }).value;
    expect(deferred).toMatchObject({
      unchanged: true,
      updates: { answer: 'deferred', stamp: 'apt 1 2 an-older-state', checkCpuMs: 0, checkedAt: now.toISOString() },
    });
  });

  it("reads Ubuntu's update-notifier answer instead of simulating, when it is newer than the lists and the database", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-notifier-'));
    const file = path.join(dir, 'updates-available');
    writeFileSync(
      file,
      '\n5 updates can be applied immediately.\n3 of these updates are standard security updates.\nTo see these additional updates run: apt list --upgradable\n\n',
    );
    const fresh = withPath(fakeApt(), updatesCommand(null, { maxBytes: cap, notifierFile: file }));
    expect(fresh).not.toMatch(/^Inst /m);
    expect(parseUpdates(fresh, null).value?.updates).toMatchObject({
      answer: 'precomputed',
      pending: 5,
      security: 3,
      checkCpuMs: 0,
    });
    // Older than the package lists: apt changed since, so it is simulated.
    utimesSync(file, new Date('2001-01-01T00:00:00Z'), new Date('2001-01-01T00:00:00Z'));
    expect(
      parseUpdates(withPath(fakeApt(), updatesCommand(null, { maxBytes: cap, notifierFile: file })), null).value
        ?.updates.answer,
    ).toBe('simulated');
  });

  it("reads update-notifier's wordings across Ubuntu releases, and says when it cannot", () => {
    const read = (text: string) =>
      parseUpdates(
        [
          'ir-manager apt',
          'ir-stamp apt 1 2 x',
          'ir-precomputed 1764000000',
          ...text.split('\n').map((l) => `ir-un ${l}`),
        ].join('\n'),
        null,
      );
    // 18.04
    expect(read('12 packages can be updated.\n5 updates are security updates.').value?.updates).toMatchObject({
      pending: 12,
      security: 5,
      checkedAt: new Date(1764000000 * 1000).toISOString(),
    });
    // 22.04 and later, with the ESM notice
    expect(
      read(
        'Expanded Security Maintenance for Applications is not enabled.\n\n1 update can be applied immediately.\n1 of these updates is a standard security update.\nTo see these additional updates run: apt list --upgradable\n\nEnable ESM Apps to receive additional future security updates.',
      ).value?.updates,
    ).toMatchObject({ pending: 1, security: 1 });
    expect(read('').value?.updates).toMatchObject({ pending: 0, security: 0 });
    const unreadable = read('Die Paketlisten werden gelesen');
    expect(unreadable.value?.updates).toMatchObject({ pending: null, stamp: null });
    expect(unreadable.problems[0]).toMatch(/cannot read: Die Paketlisten/);
  });

  it('reads apt security updates, reboot-required and dnf cached metadata', () => {
    const apt = parseUpdates(
      [
        'ir-reboot yes',
        'ir-reboot-pkg linux-image-6.1.0-28-amd64',
        'ir-manager apt',
        'ir-stamp apt 1 2 abc',
        'Inst base-files [12.4+deb12u11] (12.4+deb12u15 Debian:12.15/oldstable [amd64])',
        'Inst openssl [3.0.15-1~deb12u1] (3.0.17-1~deb12u2 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64])',
        'Inst libssl3 [3.0.15-1~deb12u1] (3.0.17-1~deb12u2 Ubuntu:22.04/jammy-security [amd64])',
      ].join('\n'),
      null,
    ).value?.updates;
    expect(apt).toMatchObject({
      manager: 'apt',
      pending: 3,
      security: 2,
      securityPackages: ['openssl', 'libssl3'],
      rebootRequired: true,
      rebootPackages: ['linux-image-6.1.0-28-amd64'],
    });
    const dnf = parseUpdates(
      [
        'ir-manager dnf',
        'ir-stamp dnf 1 2 abc',
        '',
        'openssl.x86_64                 1:3.0.7-27.el9          baseos',
        'kernel.x86_64                  5.14.0-427.el9          baseos',
        'ir-check-exit 100',
        'ir-security ALSA-2024:1234 Important/Sec. openssl-1:3.0.7-27.el9.x86_64',
        'ir-reboot yes',
      ].join('\n'),
      null,
    ).value?.updates;
    expect(dnf).toMatchObject({ manager: 'dnf', pending: 2, security: 1, rebootRequired: true });
    const noCache = parseUpdates('ir-manager dnf\nir-stamp dnf 1 2 x\nir-check-exit 1\n', null);
    expect(noCache.value?.updates.pending).toBeNull();
    expect(noCache.problems[0]).toMatch(/dnf makecache/);
  });
});

describe('clock synchronisation', () => {
  it('reads timedatectl, chronyc and ntpq, and says when none is there', () => {
    expect(parseClockSync('ir-clock timedatectl\nNTP=yes\nNTPSynchronized=no\n').value).toEqual({
      tool: 'timedatectl',
      synchronized: false,
      serviceActive: true,
      offsetSeconds: null,
    });
    const chrony = parseClockSync(
      [
        'ir-clock chronyc',
        'Reference ID    : C0A80001 (192.168.0.1)',
        'Stratum         : 3',
        'System time     : 0.000123456 seconds slow of NTP time',
        'Leap status     : Normal',
      ].join('\n'),
    ).value;
    expect(chrony).toEqual({ tool: 'chronyc', synchronized: true, serviceActive: true, offsetSeconds: -0.000123456 });
    const ntpq = parseClockSync(
      [
        'ir-clock ntpq',
        '     remote           refid      st t when poll reach   delay   offset  jitter',
        '==============================================================================',
        '*192.0.2.123     .GPS.            1 u   33   64  377    0.512   -1.250   0.100',
      ].join('\n'),
    ).value;
    expect(ntpq).toMatchObject({ tool: 'ntpq', synchronized: true, offsetSeconds: -0.00125 });
    expect(parseClockSync(sh(clockSyncCommand)).value).not.toBeUndefined();
    expect(parseClockSync('ir-clock none\n').problems[0]).toMatch(/not checked/);
  });
});
