import { execFileSync } from 'node:child_process';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupsCommand, parseBackups } from './backups.js';
import { cpuWindowEnd, cpuWindowStart, parseCpuSamples } from './cpu.js';
import { listeningPortsCommand, parseListeningPorts } from './listening-ports.js';
import { parseProcessStates, parseSuspiciousProcesses, processesCommand } from './processes.js';
import { buildBatchScript, splitBatchOutput } from './command-batch.js';
import { parseFailedUnits } from './systemd.js';
import { parseCpuCount, systemCommands } from './system.js';
import { parseTemperatures } from './temperature.js';
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, unlinkSync } from 'node:fs';

const sh = (script: string) => execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });

describe('resource probes', () => {
  it('computes CPU usage over a window of at least a second, the batch inside it, its own CPU taken out', () => {
    // Sections as the batch runs them: the window opens in the batch shell, a section burns CPU
    // (about 0.3 s) in a subshell, the window closes in the batch shell.
    const burn = '( i=0; while [ $i -lt 400000 ]; do i=$((i + 1)); done )';
    const started = Date.now();
    const text = sh(`${cpuWindowStart}\n${burn}\n${cpuWindowEnd}`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const own = /^batch-ticks (\d+) (\d+) (\d+) (\d+)$/m.exec(text);
    const ownTicks = Number(own?.[3]) + Number(own?.[4]) - Number(own?.[1]) - Number(own?.[2]);
    expect(ownTicks).toBeGreaterThan(5);
    const cpu = parseCpuSamples(text).value;
    expect(cpu).not.toBeNull();
    expect(cpu!.user + cpu!.system + cpu!.idle + cpu!.iowait + cpu!.steal).toBeGreaterThan(99);
    expect(cpu!.usagePercent).toBeCloseTo(100 - cpu!.idle - cpu!.iowait, 1);
    // The same samples without the batch's own ticks: busier by what the batch used.
    const counted = parseCpuSamples(text.replace(/^batch-ticks .*$/m, '')).value;
    expect(counted!.usagePercent).toBeGreaterThan(cpu!.usagePercent);
    expect(counted!.idle).toBeLessThan(cpu!.idle);
  });

  it('keeps the batch running when /proc/uptime cannot be read (the window is then a plain second)', () => {
    const missing = (script: string) => script.replaceAll('/proc/uptime', '/nonexistent/uptime');
    const text = sh(`${missing(cpuWindowStart)}\n${missing(cpuWindowEnd)}\necho still-running`);
    expect(text).toMatch(/still-running\n$/);
    expect(parseCpuSamples(text).value).not.toBeNull();
  });

  it('says so when /proc/stat did not advance, instead of dividing by zero', () => {
    expect(parseCpuSamples('cpu  1 2 3 4 5 6 7 8\ncpu  1 2 3 4 5 6 7 8\n')).toEqual({
      value: null,
      problems: ['/proc/stat did not advance between the two samples'],
    });
  });

  it('counts process states of this machine; a comm with spaces and ") " does not shift the fields', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-comm-'));
    const tricky = path.join(dir, 'a) b');
    copyFileSync('/bin/sleep', tricky);
    const child = spawn(tricky, ['30']);
    // Always running or runnable, whichever of the probe's own processes awk gets to read.
    const spinner = spawn('/bin/sh', ['-c', 'while :; do :; done']);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(readFileSync(`/proc/${child.pid}/stat`, 'utf8')).toMatch(/^\d+ \(a\) b\) S /);
      const states = parseProcessStates(sh(processesCommand)).value;
      expect(states?.total).toBeGreaterThan(5);
      expect(states?.running).toBeGreaterThanOrEqual(1);
      // Read from the first ") ", the sleeper's state would be "b": an unknown state.
      expect(states?.unknown).toBe(0);
      expect(states?.threads).toBeGreaterThanOrEqual(states?.total ?? 0);
    } finally {
      child.kill('SIGKILL');
      spinner.kill('SIGKILL');
    }
  });

  it('counts each process once, also those whose executable cannot be read (a zombie), in a PID namespace of known processes', () => {
    // A fresh PID namespace shows only what this script starts: a sleeper, a stopped sleeper,
    // and a zombie (its parent exec'd sleep and never reaps it); besides, the script's own
    // shell: five processes for certain. The probe's ls may have exited before awk reads its
    // stat, and awk may not have started when ls read /proc: up to two more. Counted twice, the
    // zombie would show as two zombies.
    const script = [
      'sleep 60 &',
      'sleep 60 & kill -STOP $!',
      "sh -c 'true & exec sleep 60' &",
      // Until both are what they should be, however busy the machine (at most 10 s).
      "i=0; until grep -qs ') Z ' /proc/[0-9]*/stat && grep -qs ') T ' /proc/[0-9]*/stat || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done",
      processesCommand,
    ].join('\n');
    const text = execFileSync('unshare', ['--pid', '--fork', '--mount-proc', '/bin/sh', '-c', script], {
      encoding: 'utf8',
    });
    const states = parseProcessStates(text).value;
    expect(states).toMatchObject({ zombies: 1, stopped: 1, blocked: 0, unknown: 0 });
    expect(states?.total).toBeGreaterThanOrEqual(5);
    expect(states?.total).toBeLessThanOrEqual(7);
    expect(states?.threads).toBe(states?.total);
  });

  it('reads listening sockets of this machine with ss, and from /proc/net where ss is missing', () => {
    const sockets = parseListeningPorts(sh(listeningPortsCommand)).value;
    expect(sh(listeningPortsCommand).startsWith('ir-ss\n')).toBe(true);
    expect(sockets).toContainEqual({ protocol: 'tcp', address: '127.0.0.1', port: 6379 }); // the Redis the tests use
    const withoutSs = listeningPortsCommand.replace('command -v ss', 'command -v ir-no-such-ss');
    // The same ports either way (ss writes a dual-stack socket's address as "*", /proc/net as "::").
    const ports = (list: typeof sockets) => list.map((x) => `${x.port}/${x.protocol}`);
    expect(ports(parseListeningPorts(sh(withoutSs)).value)).toEqual(ports(sockets));
    // The /proc/net reading over tables written here: header lines, a connected UDP socket and an
    // established TCP one must not count.
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-net-'));
    writeFileSync(
      path.join(dir, 'tcp6'),
      '  sl  local_address rem_address st\n   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 0\n   1: 00000000000000000000000001000000:0017 00000000000000000000000001000000:9999 01 0\n',
    );
    writeFileSync(
      path.join(dir, 'udp'),
      '  sl  local_address rem_address st\n   1: 00000000:0044 00000000:0000 07 0\n   2: 0100007F:0035 0200007F:1234 07 0\n',
    );
    const v6 = parseListeningPorts(sh(withoutSs.replaceAll('/proc/net/', `${dir}/`))).value;
    expect(v6).toEqual([
      { protocol: 'tcp', address: '::1', port: 22 },
      { protocol: 'udp', address: '0.0.0.0', port: 68 },
    ]);
  });

  it('reads ss as iproute2 writes it, old and new, and marks what it cannot read', () => {
    // iproute2 6.1 (Debian 12): brackets, an interface-bound socket, a dual-stack "*".
    const modern = [
      'ir-ss',
      'Netid State  Recv-Q Send-Q      Local Address:Port  Peer Address:PortProcess',
      'udp   UNCONN 0      0         127.0.0.53%lo:53          0.0.0.0:*          ',
      'udp   UNCONN 0      0      [fe80::1%eth0]:123             [::]:*          ',
      'tcp   LISTEN 0      4096              0.0.0.0:22          0.0.0.0:*          ',
      'tcp   LISTEN 0      4096                 [::]:22             [::]:*          ',
      'tcp   LISTEN 0      511                     *:80                *:*          ',
      'tcp   LISTEN 0      511                     *:80                *:*          ',
    ].join('\n');
    expect(parseListeningPorts(modern)).toEqual({
      value: [
        { protocol: 'tcp', address: '0.0.0.0', port: 22 },
        { protocol: 'tcp', address: '::', port: 22 },
        { protocol: 'udp', address: '127.0.0.53', port: 53 },
        { protocol: 'tcp', address: '*', port: 80 },
        { protocol: 'udp', address: 'fe80::1', port: 123 },
      ],
      problems: [],
    });
    // iproute2 4.11 (CentOS 7): "*" for IPv4's any address, IPv6 without brackets.
    const old = [
      'ir-ss',
      'Netid  State      Recv-Q Send-Q Local Address:Port               Peer Address:Port',
      'tcp    LISTEN     0      128       *:22                    *:*',
      'tcp    LISTEN     0      128      :::22                   :::*',
      'tcp    LISTEN     0      100    ::1:25                    :::*',
      'udp    UNCONN     0      0      127.0.0.1:323                     *:*',
    ].join('\n');
    expect(parseListeningPorts(old).value).toEqual([
      { protocol: 'tcp', address: '*', port: 22 },
      { protocol: 'tcp', address: '::', port: 22 },
      { protocol: 'tcp', address: '::1', port: 25 },
      { protocol: 'udp', address: '127.0.0.1', port: 323 },
    ]);
    const hostile = parseListeningPorts(
      'ir-ss\nCannot open netlink socket: Protocol not supported\ntcp LISTEN x y z\n',
    );
    expect(hostile.value).toEqual([]);
    expect(hostile.problems).toEqual([
      'unexpected ss line: Cannot open netlink socket: Protocol not supported',
      'unexpected ss line: tcp LISTEN x y z',
    ]);
  });

  it('tells "no systemd" (null) from "no failed unit" (empty)', () => {
    expect(parseFailedUnits('ir-no-systemd\n').value).toBeNull();
    expect(parseFailedUnits('').value).toEqual([]);
    expect(
      parseFailedUnits(
        '● nginx.service loaded failed failed A high performance web server\nbackup.timer loaded failed failed Nightly\n',
      ).value,
    ).toEqual(['nginx.service', 'backup.timer']);
  });

  it('reports no sensor as null and ignores disconnected-sensor values', () => {
    expect(parseTemperatures('').value).toBeNull();
    expect(
      parseTemperatures('thermal x86_pkg_temp 48000\nhwmon coretemp_temp2 -273150\nhwmon nvme_temp1 36850\n').value,
    ).toEqual([
      { sensor: 'x86_pkg_temp', celsius: 48 },
      { sensor: 'nvme_temp1', celsius: 36.85 },
    ]);
  });

  it('finds the newest backup matching a glob, its age and size, and marks stale or missing ones', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir backups '));
    const now = new Date();
    for (const [name, hoursAgo] of [
      ['db-1.sql.gz', 50],
      ['db-2.sql.gz', 3],
      ['other.txt', 1],
    ] as const) {
      const file = path.join(dir, name);
      writeFileSync(file, 'x'.repeat(100));
      const t = new Date(now.getTime() - hoursAgo * 3_600_000);
      utimesSync(file, t, t);
    }
    const checks = [
      { name: 'db', path: `${dir}/db-*.sql.gz`, max_age_hours: 26 },
      { name: 'strict', path: `${dir}/db-*.sql.gz`, max_age_hours: 2 },
      { name: 'none', path: `${dir}/web-*.tar`, max_age_hours: 26 },
      { name: "quote'; touch /tmp/pwned #", path: `/nonexistent'$(touch /tmp/pwned)/x*`, max_age_hours: 1 },
    ];
    const backups = parseBackups(sh(backupsCommand(checks)), checks, now).value;
    expect(
      backups.map((b) => [b.name, b.newestFile && path.basename(b.newestFile), b.sizeBytes, b.ageHours, b.stale]),
    ).toEqual([
      ['db', 'db-2.sql.gz', 100, 3, false],
      ['strict', 'db-2.sql.gz', 100, 3, true],
      ['none', null, null, null, true],
      ["quote'; touch /tmp/pwned #", null, null, null, true],
    ]);
  });

  it('finds a process running from /tmp and one whose executable was deleted, with one ls for all processes', async () => {
    const dir = mkdtempSync(path.join('/tmp', 'ir-susp-'));
    const fromTmp = path.join(dir, 'kworker');
    copyFileSync('/bin/sleep', fromTmp);
    const deleted = path.join(dir, 'gone');
    copyFileSync('/bin/sleep', deleted);
    const children = [spawn(fromTmp, ['30']), spawn(deleted, ['30'])];
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      unlinkSync(deleted);
      const found = parseSuspiciousProcesses(sh(processesCommand)).value;
      expect(found.processes).toContainEqual({ pid: children[0]!.pid, executable: fromTmp, deleted: false });
      expect(found.processes).toContainEqual({ pid: children[1]!.pid, executable: deleted, deleted: true });
      expect(processesCommand.match(/readlink|cat /g)).toBeNull();
    } finally {
      children.forEach((child) => child.kill('SIGKILL'));
    }
  });

  it("counts online CPUs from the kernel's range list, and from getconf where /sys is missing", () => {
    expect(parseCpuCount('0-3,6,8-9\n').value).toBe(7);
    expect(parseCpuCount('0\n').value).toBe(1);
    expect(parseCpuCount('count 12\n').value).toBe(12);
    expect(parseCpuCount('3-1').value).toBeNull();
    expect(parseCpuCount('lots').problems[0]).toMatch(/unexpected CPU count/);
    const { script, nonce } = buildBatchScript([{ name: 'nproc', script: systemCommands.nproc }], 1024);
    const section = splitBatchOutput(sh(script), nonce, 1024).get('nproc');
    expect(parseCpuCount(section?.text ?? '').value).toBe(Number(sh('getconf _NPROCESSORS_ONLN').trim()));
  });

  it('keeps sensor names to one printable token', () => {
    expect(parseTemperatures('hwmon coretemp_temp1 45000\nthermal acpi tz$(x) 51000\n').value).toEqual([
      { sensor: 'coretemp_temp1', celsius: 45 },
      { sensor: 'acpi_tz__x_', celsius: 51 },
    ]);
  });
});
