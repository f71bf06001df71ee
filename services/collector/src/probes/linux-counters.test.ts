import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createInfluxStore, ensureInfluxV1Database } from '@infra-report/shared';
import { testInfluxSettings } from '@infra-report/testkit';
import { buildBatchScript, splitBatchOutput } from './command-batch.js';
import { countersFromSections, linuxCounterCommands, parseLinuxCounters } from './linux-counters.js';
import { resourcePoints } from '../points.js';

/** The counter sections as a host's /bin/sh prints them: this machine's /proc, for real. */
function readThisMachine() {
  const { script, nonce } = buildBatchScript(linuxCounterCommands, 1024 * 1024);
  const output = execFileSync('/bin/sh', ['-s'], { input: script, encoding: 'utf8' });
  return splitBatchOutput(output, nonce, 1024 * 1024);
}

describe('kernel counters under Telegraf’s names', () => {
  it('reads this machine’s /proc as Telegraf’s kernel, diskio, net, netstat, nstat and linux_sysctl_fs inputs do', () => {
    const { value, problems } = countersFromSections(readThisMachine());
    expect(problems).toEqual([]);
    const procStat = execFileSync('sh', ['-c', 'grep -E "^(btime|processes)" /proc/stat'], { encoding: 'utf8' });
    expect(value?.kernel['boot_time']).toBe(Number(/btime (\d+)/.exec(procStat)?.[1]));
    expect(Number(value?.kernel['processes_forked'])).toBeLessThanOrEqual(
      Number(/processes (\d+)/.exec(procStat)?.[1]),
    );
    expect(Object.keys(value?.kernel ?? {})).toEqual(
      expect.arrayContaining(['context_switches', 'interrupts', 'disk_pages_in', 'disk_pages_out', 'entropy_avail']),
    );
    const fileMax = Number(execFileSync('cat', ['/proc/sys/fs/file-max'], { encoding: 'utf8' }).trim());
    expect(Number(value?.sysctlFs['file-max'])).toBe(fileMax);
    expect(Object.keys(value?.sysctlFs ?? {})).toEqual(
      expect.arrayContaining(['file-nr', 'inode-nr', 'inode-free-nr', 'dentry-nr', 'aio-max-nr']),
    );
    // Loopback is left out, as Telegraf does; the protocol counters go under interface "all".
    expect(value?.net.some((n) => n.interface === 'lo')).toBe(false);
    expect(Object.keys(value?.protocols ?? {})).toEqual(expect.arrayContaining(['tcp_activeopens', 'udp_indatagrams']));
    expect(Object.keys(value?.nstat.netstat ?? {})).toContain('TcpExtListenOverflows');
    expect(Object.keys(value?.netstat ?? {})).toEqual(
      expect.arrayContaining(['tcp_established', 'tcp_listen', 'udp_socket']),
    );
    // This test's own listening Redis and sshd are there.
    expect(Number(value?.netstat['tcp_listen'])).toBeGreaterThan(0);
    expect(value?.diskio.length).toBeGreaterThan(0);
  });

  it('keeps counters beyond 2^53 exact, and shrugs off garbage', () => {
    const { value, problems } = parseLinuxCounters({
      procStat: 'ctxt 18446744073709551\nbtime 1795888843\nintr x\n\u001b[31mnonsense',
      vmstat: 'pswpin 10\npswpout 2\npgpgin nope',
      diskstats: '   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n   8 1 short 1 2',
      netDev:
        'Inter-|\n face |\n  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n   lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16',
      netSnmp: 'Tcp: ActiveOpens\nTcp: 7\nTcpExt: ListenDrops\nTcpExt: 9223372036854775807',
      sockets: 'tcp 01 3\ntcp 0A 2\ntcp ZZ 1\nudp 4',
      sysctlFs:
        '/proc/sys/fs/file-max:9223372036854775807\n/proc/sys/fs/file-nr:1\t0\t9223372036854775807\n' +
        '/proc/sys/fs/dentry-state:1\t2\t45\t0\t0\t0\nbad line here x\n/proc/sys/kernel/random/entropy_avail:256',
    });
    expect(problems).toEqual([]);
    expect(value?.kernel).toEqual({ context_switches: '18446744073709551', boot_time: 1795888843, entropy_avail: 256 });
    expect(value?.swap).toEqual({ in: 40960, out: 8192 });
    expect(value?.diskio).toEqual([
      {
        name: 'sda',
        fields: expect.objectContaining({ reads: 1, read_bytes: 3 * 512, write_bytes: 7 * 512, weighted_io_time: 11 }),
      },
    ]);
    expect(value?.net.map((n) => n.interface)).toEqual(['eth0']);
    expect(value?.nstat.netstat).toEqual({ TcpExtListenDrops: '9223372036854775807' });
    expect(value?.netstat).toMatchObject({ tcp_established: 3, tcp_listen: 2, tcp_none: 1, udp_socket: 4 });
    expect(value?.sysctlFs).toMatchObject({ 'file-max': '9223372036854775807', 'file-nr': 1, 'dentry-age-limit': 45 });
  });

  it('writes them to InfluxDB exactly, 2^63 - 1 included, for non_negative_derivative panels', async () => {
    const settings = testInfluxSettings('counters');
    await ensureInfluxV1Database(settings);
    const influx = createInfluxStore(settings);
    const { value } = countersFromSections(readThisMachine());
    const counters = { ...value!, sysctlFs: { ...value!.sysctlFs, 'file-max': '9223372036854775807' } };
    const at = new Date();
    await influx.writePoints(
      resourcePoints({
        host: 'h1',
        at,
        load: null,
        cpuCount: null,
        uptimeSeconds: null,
        memory: null,
        filesystems: [],
        cpu: null,
        temperatures: null,
        counters,
      }),
    );
    const [fileMax] = await influx.query(`SELECT "file-max" FROM "linux_sysctl_fs" WHERE "host" = 'h1'`);
    // InfluxQL answers in JSON numbers; the line protocol value was exact: read it as text.
    const raw = await fetch(
      `${settings.url}/query?db=${settings.bucket}&q=${encodeURIComponent(`SELECT "file-max" FROM "linux_sysctl_fs"`)}`,
    );
    expect(await raw.text()).toContain('9223372036854775807');
    expect(fileMax?.values).toHaveLength(1);
    const measurements = (await influx.query('SHOW MEASUREMENTS')).flatMap((s) => s.values.map((v) => String(v[0])));
    expect(measurements).toEqual(
      expect.arrayContaining(['diskio', 'kernel', 'linux_sysctl_fs', 'net', 'netstat', 'nstat']),
    );
    await influx.close();
  });
});
