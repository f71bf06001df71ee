import type { MemoryInfo } from '@infra-report/shared';
import type { Parsed } from './parse-result.js';
import { simpleProbe } from './probe.js';

export const memoryCommand = 'ir_cat /proc/meminfo';

/**
 * /proc/meminfo in kB (really KiB). "Used" is what `free` reports since procps 3.3.10:
 * total − available, so page cache is not counted as used.
 */
export function parseMeminfo(text: string): Parsed<MemoryInfo | null> {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (match?.[1] && match[2]) fields.set(match[1], Number(match[2]) * 1024);
  }
  const total = fields.get('MemTotal');
  if (total === undefined || total === 0) return { value: null, problems: ['no MemTotal in /proc/meminfo'] };
  const problems: string[] = [];
  let available = fields.get('MemAvailable');
  if (available === undefined) {
    // Kernels before 3.14 have no MemAvailable: free + buffers + cache is the usual estimate.
    available = (fields.get('MemFree') ?? 0) + (fields.get('Buffers') ?? 0) + (fields.get('Cached') ?? 0);
    problems.push('no MemAvailable (kernel older than 3.14): available memory estimated as free + buffers + cached');
  }
  const used = Math.max(0, total - available);
  return {
    value: {
      totalBytes: total,
      availableBytes: available,
      usedBytes: used,
      usedPercent: Math.round((used / total) * 1000) / 10,
      swapTotalBytes: fields.get('SwapTotal') ?? 0,
      swapFreeBytes: fields.get('SwapFree') ?? 0,
      telegraf: telegrafMemoryFields(fields),
    },
    problems,
  };
}

/** Telegraf's mem input names for /proc/meminfo's lines (bytes; Hugepages_* are counts). */
const telegrafNames: Record<string, string> = {
  Active: 'active',
  Buffers: 'buffered',
  Cached: 'cached',
  CommitLimit: 'commit_limit',
  Committed_AS: 'committed_as',
  Dirty: 'dirty',
  MemFree: 'free',
  HighFree: 'high_free',
  HighTotal: 'high_total',
  Hugepagesize: 'huge_page_size',
  HugePages_Free: 'huge_pages_free',
  HugePages_Total: 'huge_pages_total',
  Inactive: 'inactive',
  LowFree: 'low_free',
  LowTotal: 'low_total',
  Mapped: 'mapped',
  PageTables: 'page_tables',
  Shmem: 'shared',
  Slab: 'slab',
  SReclaimable: 'sreclaimable',
  SUnreclaim: 'sunreclaim',
  SwapCached: 'swap_cached',
  SwapFree: 'swap_free',
  SwapTotal: 'swap_total',
  VmallocChunk: 'vmalloc_chunk',
  VmallocTotal: 'vmalloc_total',
  VmallocUsed: 'vmalloc_used',
  Writeback: 'write_back',
  WritebackTmp: 'write_back_tmpfs',
};

function telegrafMemoryFields(fields: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [line, name] of Object.entries(telegrafNames)) {
    const value = fields.get(line);
    if (value === undefined) continue;
    // HugePages_Total and _Free are page counts (no "kB"): parsed as KiB above, undone here.
    out[name] = line.startsWith('HugePages_') ? value / 1024 : value;
  }
  return out;
}

/** /proc/meminfo: memory and swap. */
// Builtins only: run in the batch's own shell, no subshell.
export const memoryProbe = simpleProbe('meminfo', 'memory', memoryCommand, parseMeminfo, null, { inline: true });
