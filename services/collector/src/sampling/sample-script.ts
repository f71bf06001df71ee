import type {
  CpuUsage,
  Filesystem,
  LinuxCounters,
  LoadAverage,
  MemoryInfo,
  TemperatureReading,
} from '@infra-report/shared';
import { countersFromSections, linuxCounterCommands } from '../probes/linux-counters.js';
import { buildBatchScript, splitBatchOutput, type BatchCommand } from '../probes/command-batch.js';
import { cpuTicks, parseCpuSamples } from '../probes/cpu.js';
import { diskCommand, parseDiskSection } from '../probes/disk.js';
import { memoryCommand, parseMeminfo } from '../probes/memory.js';
import { parseCpuCount, parseLoadavg, parseUptime, systemCommands } from '../probes/system.js';
import { parseTemperatures, temperatureCommand } from '../probes/temperature.js';

/** One sampling round's reading of a host: the resources the alerts and the 24-hour charts need. */
export interface HostSample {
  host: string;
  at: Date;
  load: LoadAverage | null;
  cpuCount: number | null;
  uptimeSeconds: number | null;
  /** CPU use since the previous round (null on a host's first round). */
  cpu: CpuUsage | null;
  /** The raw "cpu " line of /proc/stat, kept for the next round's difference. */
  cpuCounters: string | null;
  memory: MemoryInfo | null;
  filesystems: Filesystem[];
  temperatures: TemperatureReading[] | null;
  /** Kernel counters for Telegraf's kernel, diskio, net, netstat, nstat and linux_sysctl_fs. */
  counters: LinuxCounters | null;
  problems: string[];
}

const maxSectionBytes = 1024 * 1024;
/** USER_HZ is 100 on Linux: 50 ticks is half a second of CPU time across all CPUs. */
const minCpuTicks = 50;

// The same commands (and parsers) as the daily collection, without the slow or large ones; the
// CPU line is read once per round, and the round before gives the difference.
const sampleCommands: BatchCommand[] = [
  { name: 'loadavg', script: systemCommands.loadavg },
  { name: 'nproc', script: systemCommands.nproc },
  { name: 'uptime', script: systemCommands.uptime },
  { name: 'stat', script: 'read -r ir_l < /proc/stat; echo "$ir_l"' },
  { name: 'meminfo', script: memoryCommand },
  { name: 'df', script: diskCommand },
  { name: 'temperature', script: temperatureCommand },
  ...linuxCounterCommands,
];

/** The round's script, the same every round of a connection (its nonce frames the sections). */
export function sampleScript(nonce: string): string {
  return buildBatchScript(sampleCommands, maxSectionBytes, nonce).script;
}

export function parseSample(
  host: string,
  output: string,
  nonce: string,
  at: Date,
  previousCpuCounters: string | null,
): HostSample {
  const sections = splitBatchOutput(output, nonce, maxSectionBytes);
  const problems: string[] = [];
  const text = (name: string) => {
    const section = sections.get(name);
    if (!section) problems.push(`${name}: no output`);
    return section?.text ?? '';
  };
  const take = <T>(parsed: { value: T; problems: string[] }): T => {
    problems.push(...parsed.problems);
    return parsed.value;
  };
  const load = take(parseLoadavg(text('loadavg')));
  const cpuCount = take(parseCpuCount(text('nproc')));
  const uptime = take(parseUptime(text('uptime')));
  const cpuLine =
    text('stat')
      .split('\n')
      .find((l) => l.startsWith('cpu ')) ?? null;
  if (!cpuLine) problems.push('stat: no "cpu" line in /proc/stat');
  // Usage over too short a window (a few clock ticks) is noise: the counters are kept until the
  // window holds at least half a second of CPU time.
  const window = cpuLine && previousCpuCounters ? cpuTicks(cpuLine) - cpuTicks(previousCpuCounters) : 0;
  const cpu =
    cpuLine && previousCpuCounters && window >= minCpuTicks
      ? parseCpuSamples(`${previousCpuCounters}\n${cpuLine}`).value
      : null;
  const memory = take(parseMeminfo(text('meminfo')));
  const filesystems = take(parseDiskSection(text('df')));
  const temperatures = take(parseTemperatures(text('temperature')));
  const counters = take(countersFromSections(sections));
  return {
    host,
    at,
    load,
    cpuCount,
    uptimeSeconds: uptime,
    cpu,
    // Kept from the previous round while the window is too short.
    cpuCounters: previousCpuCounters && cpuLine && window < minCpuTicks ? previousCpuCounters : cpuLine,
    memory,
    filesystems,
    temperatures,
    counters,
    problems,
  };
}
