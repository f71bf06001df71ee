import type { LoadAverage, OsInfo } from '@infra-report/shared';
import { hostZoneCommand } from './host-zone.js';
import { excerpt, type Parsed } from './parse-result.js';
import type { Probe } from './probe.js';

/** Small files are read with the batch's ir_cat (shell builtins): no process per file. */
export const systemCommands = {
  'os-release': 'ir_cat /etc/os-release 2>/dev/null || ir_cat /usr/lib/os-release',
  // The kernel's own names, without a process (kernel.arch exists on newer kernels only): uname
  // where one is missing.
  uname: [
    'if read -r ir_system_s 2>/dev/null < /proc/sys/kernel/ostype && read -r ir_system_r 2>/dev/null < /proc/sys/kernel/osrelease &&',
    '  read -r ir_system_m 2>/dev/null < /proc/sys/kernel/arch; then echo "$ir_system_s $ir_system_r $ir_system_m"; else uname -srm; fi',
  ].join('\n'),
  hostname: 'ir_cat /proc/sys/kernel/hostname 2>/dev/null || uname -n',
  // The zone name too: a log line's offset depends on its date (DST), not on today's offset.
  clock: hostZoneCommand,
  // The kernel's list of online CPUs ("0-3,6"); getconf only where /sys is missing.
  nproc: "ir_cat /sys/devices/system/cpu/online 2>/dev/null || { printf 'count '; getconf _NPROCESSORS_ONLN; }",
  uptime: 'ir_cat /proc/uptime',
  loadavg: 'ir_cat /proc/loadavg',
};

/** PRETTY_NAME from /etc/os-release (a shell-style KEY="value" file). */
export function parseOsRelease(text: string): Parsed<string | null> {
  const match = /^PRETTY_NAME=(.*)$/m.exec(text);
  if (!match?.[1]) return { value: null, problems: ['no PRETTY_NAME in /etc/os-release'] };
  return { value: match[1].trim().replace(/^(["'])(.*)\1$/, '$2'), problems: [] };
}

/** `uname -srm`: kernel name, release, machine. */
export function parseUname(text: string): Parsed<{ kernel: string | null; arch: string | null }> {
  const fields = text.trim().split(/\s+/);
  if (fields.length < 3)
    return { value: { kernel: null, arch: null }, problems: [`unexpected uname output: ${excerpt(text)}`] };
  return { value: { kernel: `${fields[0]} ${fields[1]}`, arch: fields[2] ?? null }, problems: [] };
}

/** /sys/devices/system/cpu/online ("0-3,6", "0"), or "count N" from getconf. */
export function parseCpuCount(text: string): Parsed<number | null> {
  const value = text.trim();
  const unexpected = { value: null, problems: [`unexpected CPU count: ${excerpt(text)}`] };
  const counted = /^count (\d+)$/.exec(value);
  if (counted) return Number(counted[1]) >= 1 ? { value: Number(counted[1]), problems: [] } : unexpected;
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(value)) return unexpected;
  let count = 0;
  for (const range of value.split(',')) {
    const [first, last] = range.split('-').map(Number) as [number, number | undefined];
    if (last !== undefined && last < first) return unexpected;
    count += last === undefined ? 1 : last - first + 1;
  }
  return { value: count, problems: [] };
}

/** /proc/uptime: seconds since boot, then idle seconds. */
export function parseUptime(text: string): Parsed<number | null> {
  const first = text.trim().split(/\s+/)[0] ?? '';
  if (!/^\d+(\.\d+)?$/.test(first)) return { value: null, problems: [`unexpected /proc/uptime: ${excerpt(text)}`] };
  return { value: Number(first), problems: [] };
}

/** /proc/loadavg: "0.52 0.58 0.59 1/467 12345". */
export function parseLoadavg(text: string): Parsed<LoadAverage | null> {
  const [one, five, fifteen] = text.trim().split(/\s+/);
  const numbers = [one, five, fifteen].map((v) => (v && /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN));
  if (numbers.some(Number.isNaN)) return { value: null, problems: [`unexpected /proc/loadavg: ${excerpt(text)}`] };
  const [a, b, c] = numbers as [number, number, number];
  return { value: { one: a, five: b, fifteen: c }, problems: [] };
}

export function emptyOsInfo(): OsInfo {
  return { prettyName: null, kernel: null, arch: null, hostname: null, utcOffset: null };
}

/** OS, kernel, host name, clock, CPU count, uptime and load: small files read with builtins. */
export const systemProbe: Probe = {
  name: 'system',
  // Every section runs in the batch's own shell (no subshell each); their variables are ir_*.
  commands: () => Object.entries(systemCommands).map(([name, script]) => ({ name, script, inline: true })),
  // 'clock' is read by the collection itself first: every other probe reads in the host's time.
  parse(sections, { clock, hostNow }) {
    const uname = sections.read('uname', parseUname, { kernel: null, arch: null });
    const uptimeSeconds = sections.read('uptime', parseUptime, null);
    return {
      os: {
        ...emptyOsInfo(),
        prettyName: sections.read('os-release', parseOsRelease, null),
        kernel: uname.kernel,
        arch: uname.arch,
        hostname: sections.section('hostname')?.text.trim().slice(0, 253) || null,
        utcOffset: clock.utcOffset,
        timeZone: clock.timeZone,
      },
      cpuCount: sections.read('nproc', parseCpuCount, null),
      uptimeSeconds,
      bootTime: uptimeSeconds !== null ? new Date(hostNow.getTime() - uptimeSeconds * 1000).toISOString() : null,
      load: sections.read('loadavg', parseLoadavg, null),
    };
  },
};
