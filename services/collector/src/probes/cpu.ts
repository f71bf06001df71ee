import type { CpuUsage } from '@infra-report/shared';
import { excerpt, type Parsed } from './parse-result.js';
import type { Probe } from './probe.js';

/**
 * The batch's own CPU so far: user+system time of the batch shell and of every section it has
 * waited for (utime, stime, cutime, cstime, /proc/PID/stat fields 14-17). The sections run in a
 * subshell of the batch (its output goes through dd), whose pid only a child can read (its
 * parent in /proc/self/stat): one command substitution at the window's start learns it, and
 * the end reads the file with builtins. A missing file gives 0 ticks, never a shell error.
 */
const batchStatAtStart =
  '$(read -r ir_cpu_s < /proc/self/stat; set -- ${ir_cpu_s##*) }; ir_cpu_p=$2; read -r ir_cpu_s < /proc/$2/stat; set -- ${ir_cpu_s##*) }; echo "$ir_cpu_p $(( ${12} + ${14} )) $(( ${13} + ${15} ))")';
const batchTicksAtEnd = [
  'ir_cpu_s=\'\'; [ -n "$ir_cpu_pid" ] && read -r ir_cpu_s 2>/dev/null < "/proc/$ir_cpu_pid/stat"',
  'set -- ${ir_cpu_s##*) }',
  'echo "batch-ticks $ir_cpu_b0 $(( ${12:-0} + ${14:-0} )) $(( ${13:-0} + ${15:-0} ))"',
].join('\n');
/** /proc/uptime in hundredths of a second ("1${fraction}" keeps a leading 0 from reading as octal). */
const uptimeCs = [
  // Checked before the arithmetic: a malformed expansion would end the batch shell itself.
  "ir_cpu_u=''; read -r ir_cpu_u ir_cpu_x < /proc/uptime 2>/dev/null",
  'case $ir_cpu_u in [0-9]*.[0-9][0-9]) ;; *) ir_cpu_u=0.00;; esac',
  'ir_cpu_u=$(( ${ir_cpu_u%.*} * 100 + 1${ir_cpu_u#*.} - 100 ))',
].join('\n');

/**
 * The window opens before the batch's first section and closes at least a second later, after
 * the others: the probes run inside the window instead of before a one-second pause, and the
 * batch's own CPU in it is reported so that it is not counted as the host's load.
 */
export const cpuWindowStart = [
  'read -r ir_cpu_0 < /proc/stat',
  uptimeCs,
  'ir_cpu_t0=$ir_cpu_u',
  // "PID USER SYSTEM": the batch subshell's pid, its user (utime + cutime) and system (stime +
  // cstime) ticks.
  `set -- ${batchStatAtStart}`,
  'ir_cpu_pid=${1:-}; ir_cpu_b0="${2:-0} ${3:-0}"',
].join('\n');

export const cpuWindowEnd = [
  uptimeCs,
  // 1.01 s less what passed: /proc/uptime counts hundredths, so the window is never under a second.
  'ir_cpu_w=$(( 101 - (ir_cpu_u - ${ir_cpu_t0:-0}) ))',
  '[ "$ir_cpu_w" -gt 101 ] && ir_cpu_w=101',
  'if [ "$ir_cpu_w" -gt 0 ]; then sleep "$(( ir_cpu_w / 100 )).$(( ir_cpu_w % 100 / 10 ))$(( ir_cpu_w % 10 ))" 2>/dev/null || sleep 1; fi',
  'echo "$ir_cpu_0"',
  'read -r ir_l < /proc/stat; echo "$ir_l"',
  batchTicksAtEnd,
].join('\n');

const fields = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

/** The clock ticks a "cpu " line counts: its first eight columns (guest time is inside user time). */
export function cpuTicks(line: string): number {
  return line
    .trim()
    .split(/\s+/)
    .slice(1, 1 + fields.length)
    .reduce((sum, field) => sum + (Number(field) || 0), 0);
}

export function parseCpuSamples(text: string): Parsed<CpuUsage | null> {
  const samples = text
    .split('\n')
    .filter((l) => l.startsWith('cpu '))
    .map((l) => l.trim().split(/\s+/).slice(1).map(Number));
  if (samples.length !== 2 || samples.some((s) => s.length < 4 || s.some((n) => !Number.isFinite(n)))) {
    return { value: null, problems: [`expected two "cpu" lines of /proc/stat: ${excerpt(text)}`] };
  }
  const [a, b] = samples as [number[], number[]];
  // Every column's difference (guest and guest_nice too, for Telegraf's fields).
  const d = b.map((value, i) => value - (a[i] ?? 0));
  // The batch's own user and system ticks inside the window were idle time but for us. Its
  // niced part (the package check) is in "nice": user time comes off user first, then nice.
  const own = /^batch-ticks (\d+) (\d+) (\d+) (\d+)$/m.exec(text);
  if (own) {
    let ownUser = Math.max(0, Number(own[3]) - Number(own[1]));
    const ownSystem = Math.min(Math.max(0, Number(own[4]) - Number(own[2])), d[2] ?? 0);
    for (const column of [0, 1]) {
      const taken = Math.min(ownUser, d[column] ?? 0);
      d[column] = (d[column] ?? 0) - taken;
      d[3] = (d[3] ?? 0) + taken;
      ownUser -= taken;
    }
    d[2] = (d[2] ?? 0) - ownSystem;
    d[3] = (d[3] ?? 0) + ownSystem;
  }
  // guest time is already part of user time in /proc/stat: only the first eight columns count.
  const delta = fields.map((_, i) => d[i] ?? 0);
  const total = delta.reduce((sum, x) => sum + x, 0);
  if (total <= 0) return { value: null, problems: ['/proc/stat did not advance between the two samples'] };
  const percent = (i: number) => Math.round(((delta[i] ?? 0) / total) * 10000) / 100;
  // Telegraf's cpu input: guest time is taken out of user (and guest_nice out of nice).
  const raw = (i: number) => (d[i] ?? 0) / total;
  const round = (x: number) => Math.round(x * 1e6) / 1e4;
  const telegraf = {
    usage_user: round(raw(0) - raw(8)),
    usage_nice: round(raw(1) - raw(9)),
    usage_system: round(raw(2)),
    usage_idle: round(raw(3)),
    usage_iowait: round(raw(4)),
    usage_irq: round(raw(5)),
    usage_softirq: round(raw(6)),
    usage_steal: round(raw(7)),
    usage_guest: round(raw(8)),
    usage_guest_nice: round(raw(9)),
  };
  return {
    value: {
      telegraf,
      user: percent(0) + percent(1),
      system: percent(2) + percent(5) + percent(6),
      idle: percent(3),
      iowait: percent(4),
      steal: percent(7),
      usagePercent: Math.round((100 - percent(3) - percent(4)) * 100) / 100,
    },
    problems: [],
  };
}

/**
 * CPU use over a window of at least a second that the rest of the batch runs in (its own CPU
 * taken out); the window's end comes last but one in the batch.
 */
export const cpuProbe: Probe = {
  name: 'cpu',
  commands: () => [
    { name: 'cpu-start', script: cpuWindowStart, first: true, inline: true },
    // In the batch's shell too: the batch's times are read from the shell that ran the sections.
    { name: 'cpu', script: cpuWindowEnd, inline: true },
  ],
  parse: (sections) => ({ cpu: sections.read('cpu', parseCpuSamples, null) }),
};
