import type { Counter, LinuxCounters } from '@infra-report/shared';
import type { BatchCommand } from './command-batch.js';
import type { Parsed } from './parse-result.js';
import type { Probe } from './probe.js';

/**
 * The files Telegraf's kernel, diskio, net, netstat, nstat, linux_sysctl_fs and swap inputs
 * read, all readable without root: read with shell builtins (no process per file) except the
 * TCP state count (one awk over /proc/net/tcp*).
 */
export const linuxCounterCommands: BatchCommand[] = [
  { name: 'proc-stat', script: 'ir_cat /proc/stat' },
  { name: 'vmstat', script: 'ir_cat /proc/vmstat' },
  { name: 'diskstats', script: 'ir_cat /proc/diskstats' },
  { name: 'net-dev', script: 'ir_cat /proc/net/dev' },
  {
    name: 'net-snmp',
    script: 'ir_cat /proc/net/snmp; ir_cat /proc/net/netstat; [ -r /proc/net/snmp6 ] && ir_cat /proc/net/snmp6; true',
  },
  {
    name: 'sockets',
    script:
      'awk \'FNR > 1 && FILENAME ~ /tcp/ { n[$4]++ } FNR > 1 && FILENAME ~ /udp/ { u++ } END { for (s in n) print "tcp", s, n[s]; print "udp", u + 0 }\' /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 2>/dev/null',
  },
  {
    name: 'sysctl-fs',
    // Numeric /proc/sys files answer only a read from offset 0: the shell's byte-wise `read`
    // gets their first digit. One grep reads them whole ("path:value" per file).
    script:
      "grep -H '' " +
      [
        'aio-nr',
        'aio-max-nr',
        'dquot-nr',
        'dquot-max',
        'super-nr',
        'super-max',
        'inode-nr',
        'inode-state',
        'dentry-state',
        'file-nr',
        'file-max',
      ]
        .map((f) => `/proc/sys/fs/${f}`)
        .join(' ') +
      ' /proc/sys/kernel/random/entropy_avail 2>/dev/null; true',
  },
];

/** An integer, exact: a number while JavaScript holds it exactly, else its digits. */
const counter = (text: string | undefined): Counter | undefined => {
  if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
};
/** The same where arithmetic is done on it (counts far below 2^53). */
const number = (text: string | undefined) => {
  const value = counter(text);
  return typeof value === 'number' ? value : undefined;
};

/** Telegraf's names for /proc/net/tcp's state codes. */
const tcpStates: Record<string, string> = {
  '01': 'tcp_established',
  '02': 'tcp_syn_sent',
  '03': 'tcp_syn_recv',
  '04': 'tcp_fin_wait1',
  '05': 'tcp_fin_wait2',
  '06': 'tcp_time_wait',
  '07': 'tcp_close',
  '08': 'tcp_close_wait',
  '09': 'tcp_last_ack',
  '0A': 'tcp_listen',
  '0B': 'tcp_closing',
};

// Telegraf's diskio fields, in /proc/diskstats' column order (sectors become bytes).
const diskColumns = [
  'reads',
  'merged_reads',
  'read_sectors',
  'read_time',
  'writes',
  'merged_writes',
  'write_sectors',
  'write_time',
  'iops_in_progress',
  'io_time',
  'weighted_io_time',
] as const;

/** /proc/stat's counters (context switches, interrupts, forks, boot time). */
function parseKernelStat(text: string): Record<string, Counter> {
  const kernel: Record<string, Counter> = {};
  for (const line of text.split('\n')) {
    const [key, first] = line.trim().split(/\s+/);
    const value = counter(first);
    if (value === undefined) continue;
    if (key === 'ctxt') kernel['context_switches'] = value;
    else if (key === 'intr') kernel['interrupts'] = value;
    else if (key === 'processes') kernel['processes_forked'] = value;
    else if (key === 'btime') kernel['boot_time'] = value;
  }
  return kernel;
}

/** /proc/vmstat: pages in and out (into `kernel`) and swapped bytes. */
function parseVmstat(text: string, kernel: Record<string, Counter>): LinuxCounters['swap'] {
  const vm = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    const n = number(value);
    if (key && n !== undefined) vm.set(key, n);
  }
  if (vm.has('pgpgin')) kernel['disk_pages_in'] = vm.get('pgpgin') ?? 0;
  if (vm.has('pgpgout')) kernel['disk_pages_out'] = vm.get('pgpgout') ?? 0;
  // Telegraf (gopsutil) counts swapped pages as 4 KiB each.
  const swap = vm.has('pswpin') ? { in: (vm.get('pswpin') ?? 0) * 4096, out: (vm.get('pswpout') ?? 0) * 4096 } : null;
  return swap;
}

/** /proc/diskstats: Telegraf's diskio fields per device. */
function parseDiskstats(text: string): LinuxCounters['diskio'] {
  const diskio: LinuxCounters['diskio'] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const name = fields[2];
    const values = fields.slice(3, 14).map(counter);
    if (!name || values.length < 11 || values.some((v) => v === undefined)) continue;
    const row: Record<string, Counter> = {};
    diskColumns.forEach((column, i) => (row[column] = values[i] ?? 0));
    const sectors = (value: Counter | undefined) =>
      typeof value === 'number' && Number.isSafeInteger(value * 512) ? value * 512 : String(BigInt(value ?? 0) * 512n);
    diskio.push({
      name,
      fields: {
        reads: row['reads'] ?? 0,
        writes: row['writes'] ?? 0,
        read_bytes: sectors(row['read_sectors']),
        write_bytes: sectors(row['write_sectors']),
        read_time: row['read_time'] ?? 0,
        write_time: row['write_time'] ?? 0,
        io_time: row['io_time'] ?? 0,
        weighted_io_time: row['weighted_io_time'] ?? 0,
        iops_in_progress: row['iops_in_progress'] ?? 0,
        merged_reads: row['merged_reads'] ?? 0,
        merged_writes: row['merged_writes'] ?? 0,
      },
    });
  }
  return diskio;
}

/** /proc/net/dev: Telegraf's net fields per interface (loopback left out, as Telegraf does). */
function parseNetDev(text: string): LinuxCounters['net'] {
  const net: LinuxCounters['net'] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!match?.[1] || match[1] === 'lo') continue; // Telegraf leaves loopback out
    const v = (match[2] ?? '').trim().split(/\s+/).map(counter);
    if (v.length < 16 || v.some((x) => x === undefined)) continue;
    net.push({
      interface: match[1],
      fields: {
        bytes_recv: v[0] ?? 0,
        packets_recv: v[1] ?? 0,
        err_in: v[2] ?? 0,
        drop_in: v[3] ?? 0,
        bytes_sent: v[8] ?? 0,
        packets_sent: v[9] ?? 0,
        err_out: v[10] ?? 0,
        drop_out: v[11] ?? 0,
      },
    });
  }
  return net;
}

/** /proc/net/snmp, netstat and snmp6: the protocol counters and nstat's three groups. */
function parseNetSnmp(text: string): Pick<LinuxCounters, 'protocols' | 'nstat'> {
  // /proc/net/snmp and netstat: pairs of lines "Proto: names" / "Proto: values"; snmp6: "name value".
  const protocols: Record<string, Counter> = {};
  const nstat: LinuxCounters['nstat'] = { netstat: {}, snmp: {}, snmp6: {} };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const header = /^(\w+): ([A-Za-z].*)$/.exec(lines[i] ?? '');
    const values = /^(\w+): (-?\d.*)$/.exec(lines[i + 1] ?? '');
    if (header?.[1] && values?.[1] === header[1]) {
      const proto = header[1];
      const names = (header[2] ?? '').trim().split(/\s+/);
      const numbers = (values[2] ?? '').trim().split(/\s+/).map(counter);
      const isNetstat = proto === 'TcpExt' || proto === 'IpExt' || proto === 'MPTcpExt';
      names.forEach((name, k) => {
        const n = numbers[k];
        if (n === undefined) return;
        (isNetstat ? nstat.netstat : nstat.snmp)[`${proto}${name}`] = n;
        if (!isNetstat) protocols[`${proto.toLowerCase()}_${name.toLowerCase()}`] = n;
      });
      i += 1;
      continue;
    }
    const six = /^(\w*6\w*)\s+(-?\d+)$/.exec((lines[i] ?? '').trim());
    const sixValue = counter(six?.[2]);
    if (six?.[1] && sixValue !== undefined) nstat.snmp6[six[1]] = sixValue;
  }
  return { protocols, nstat };
}

/** Socket counts by TCP state, and UDP sockets. */
function parseSocketCounts(text: string): Record<string, Counter> {
  const netstat: Record<string, Counter> = Object.fromEntries(Object.values(tcpStates).map((s) => [s, 0]));
  netstat['tcp_none'] = 0;
  netstat['udp_socket'] = 0;
  for (const line of text.split('\n')) {
    const [kind, a, b] = line.trim().split(/\s+/);
    if (kind === 'tcp' && a && number(b) !== undefined) {
      const state = tcpStates[a.toUpperCase()] ?? 'tcp_none';
      netstat[state] = Number(netstat[state] ?? 0) + (number(b) ?? 0);
    } else if (kind === 'udp' && number(a) !== undefined) netstat['udp_socket'] = number(a) ?? 0;
  }
  return netstat;
}

/** /proc/sys/fs files (and entropy_avail, into `kernel`). */
function parseSysctlFs(text: string, kernel: Record<string, Counter>): Record<string, Counter> {
  const sysctlFs: Record<string, Counter> = {};
  for (const line of text.split('\n')) {
    // "/proc/sys/fs/file-nr:1056\t0\t2466177"
    const [file = '', ...rest] = line.trim().replace(':', ' ').split(/\s+/);
    const name = file.split('/').pop();
    if (name === 'entropy_avail') {
      const entropy = counter(rest[0]);
      if (entropy !== undefined) kernel['entropy_avail'] = entropy;
      continue;
    }
    const values = rest.map(counter);
    if (!name || values.length === 0 || values.some((v) => v === undefined)) continue;
    const v = values as Counter[];
    switch (name) {
      case 'inode-nr':
        sysctlFs['inode-nr'] = v[0] ?? 0;
        sysctlFs['inode-free-nr'] = v[1] ?? 0;
        break;
      case 'inode-state':
        sysctlFs['inode-nr'] = v[0] ?? 0;
        sysctlFs['inode-free-nr'] = v[1] ?? 0;
        sysctlFs['inode-preshrink-nr'] = v[2] ?? 0;
        break;
      case 'dentry-state':
        sysctlFs['dentry-nr'] = v[0] ?? 0;
        sysctlFs['dentry-unused-nr'] = v[1] ?? 0;
        sysctlFs['dentry-age-limit'] = v[2] ?? 0;
        sysctlFs['dentry-want-pages'] = v[3] ?? 0;
        break;
      case 'file-nr':
        sysctlFs['file-nr'] = v[0] ?? 0;
        break;
      case 'dquot-nr':
        sysctlFs['dquot-nr'] = v[0] ?? 0;
        break;
      default:
        sysctlFs[name] = v[0] ?? 0;
    }
  }
  return sysctlFs;
}

export function parseLinuxCounters(sections: {
  procStat: string;
  vmstat: string;
  diskstats: string;
  netDev: string;
  netSnmp: string;
  sockets: string;
  sysctlFs: string;
}): Parsed<LinuxCounters | null> {
  const kernel = parseKernelStat(sections.procStat);
  if (Object.keys(kernel).length === 0)
    return { value: null, problems: ['/proc/stat: no ctxt, intr, processes or btime line'] };
  const swap = parseVmstat(sections.vmstat, kernel);
  const { protocols, nstat } = parseNetSnmp(sections.netSnmp);
  return {
    value: {
      kernel,
      swap,
      diskio: parseDiskstats(sections.diskstats),
      net: parseNetDev(sections.netDev),
      protocols,
      netstat: parseSocketCounts(sections.sockets),
      nstat,
      sysctlFs: parseSysctlFs(sections.sysctlFs, kernel),
    },
    problems: [],
  };
}

/** The counters from a batch's sections (collection or sampling); a missing section is a problem. */
export function countersFromSections(sections: Map<string, { text: string }>): Parsed<LinuxCounters | null> {
  const missing = linuxCounterCommands.map((c) => c.name).filter((name) => !sections.has(name));
  if (missing.length === linuxCounterCommands.length) return { value: null, problems: [] };
  const text = (name: string) => sections.get(name)?.text ?? '';
  const parsed = parseLinuxCounters({
    procStat: text('proc-stat'),
    vmstat: text('vmstat'),
    diskstats: text('diskstats'),
    netDev: text('net-dev'),
    netSnmp: text('net-snmp'),
    sockets: text('sockets'),
    sysctlFs: text('sysctl-fs'),
  });
  return {
    value: parsed.value,
    problems: [...missing.map((name) => `${name}: no output (the command batch was cut off)`), ...parsed.problems],
  };
}

/** Telegraf's kernel, diskio, net, netstat, nstat and linux_sysctl_fs readings, from /proc. */
export const countersProbe: Probe = {
  name: 'counters',
  // The sampling reads them every interval; the daily batch only when configured.
  commands: ({ host }) => (host.collect.counters ? linuxCounterCommands : []),
  parse(sections) {
    const texts = new Map(
      linuxCounterCommands.flatMap(({ name }) => {
        const section = sections.section(name);
        return section ? [[name, section] as const] : [];
      }),
    );
    const parsed = countersFromSections(texts);
    for (const message of parsed.problems) sections.problem({ probe: 'counters', message });
    return { counters: parsed.value };
  },
};
