import type { CpuUsage } from '@infra-report/shared';
import { excerpt, type Parsed } from './parse-result.js';
import { simpleProbe } from './probe.js';

/** Two samples of the aggregate "cpu" line one second apart: usage is their difference. */
/** The first line of /proc/stat is the "cpu " total: read with builtins, one process (sleep) in all. */
export const cpuCommand = 'read -r ir_l < /proc/stat; echo "$ir_l"; sleep 1; read -r ir_l < /proc/stat; echo "$ir_l"';

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
  // guest time is already part of user time in /proc/stat: only the first eight columns count.
  const delta = fields.map((_, i) => (b[i] ?? 0) - (a[i] ?? 0));
  const total = delta.reduce((sum, d) => sum + d, 0);
  if (total <= 0) return { value: null, problems: ['/proc/stat did not advance between the two samples'] };
  const percent = (i: number) => Math.round(((delta[i] ?? 0) / total) * 10000) / 100;
  // Telegraf's cpu input: guest time is taken out of user (and guest_nice out of nice).
  const raw = (i: number) => ((b[i] ?? 0) - (a[i] ?? 0)) / total;
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

/** CPU use from two /proc/stat samples a second apart (last but one in the batch: the pause overlaps nothing). */
export const cpuProbe = simpleProbe('cpu', 'cpu', cpuCommand, parseCpuSamples, null);
