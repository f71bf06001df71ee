import type { KernelEventKind, KernelEvents } from '@infra-report/shared';
import { parseIdOutput } from './id-output.js';
import { excerpt, type Parsed } from './parse-result.js';
import type { Probe } from './probe.js';

/** Kernel messages worth a morning's attention, by what the kernel writes (mm/oom_kill.c, block/, fs/, arch/x86/mm/fault.c, kernel/hung_task.c, mce). */
const patterns: [KernelEventKind, RegExp][] = [
  [
    'oom-kill',
    /\bOut of memory: Killed process \d+ \(([^)]*)\)|\boom-kill:.*task=([^,\s]+)|\bMemory cgroup out of memory: Killed process \d+ \(([^)]*)\)/,
  ],
  [
    'io-error',
    /\bI\/O error, dev (\S+?),|\bBuffer I\/O error on dev(?:ice)? (\S+?),|\bblk_update_request: I\/O error, dev (\S+?),|\bcritical medium error, dev (\S+?),/,
  ],
  [
    'fs-error',
    /\b(?:EXT[234]-fs error|EXT[234]-fs warning \(device \S+\): ext4_end_bio|XFS \(\S+\): (?:.*(?:error|corruption|Corruption))|BTRFS (?:error|critical)) ?(?:\(device (\S+?)\))?/,
  ],
  ['segfault', /\b(\S+?)\[\d+\]: segfault at /],
  ['hung-task', /\bINFO: task (\S+?):\d+ blocked for more than \d+ seconds/],
  ['hardware', /\bmce: \[Hardware Error\]|\bEDAC \S+: .*(?:UE|CE) |\bMachine check events logged/],
];

/** The filter on the host: only these lines leave it. */
const hostFilter =
  'Out of memory: Killed process|oom-kill:|Memory cgroup out of memory|I/O error|critical medium error|EXT[234]-fs (error|warning)|XFS [(]|BTRFS (error|critical)|segfault at|blocked for more than|Hardware Error|EDAC|Machine check events';

/**
 * Kernel messages of the window: from the journal (`journalctl -k`, readable by the groups
 * systemd-journal and adm) or else from `dmesg` (readable without root only where
 * kernel.dmesg_restrict is 0). At most 500 matching lines leave the host.
 */
export function kernelEventsCommand(windowStartEpoch: number): string {
  const since = Math.floor(windowStartEpoch);
  // One journalctl and one awk: awk keeps the matching lines and counts all of them, so an empty
  // or closed journal (0 lines) falls back to dmesg.
  const keep = (counter: string) =>
    `awk -v re="$ir_kf" '$0 ~ re { if (++n <= 500) print } END { print "${counter} " NR }'`;
  return [
    `ir_kf='${hostFilter}'`,
    'ir_kn=0',
    // No journald running (containers, non-systemd hosts): no journalctl process at all.
    'if [ -d /run/systemd/journal ] && command -v journalctl >/dev/null 2>&1; then',
    `  ir_kout=$(journalctl -k -q --no-pager -o short-unix --since=@${since} 2>/dev/null | ${keep('ir-kernel-lines')})`,
    '  ir_kn=${ir_kout##*ir-kernel-lines }',
    'fi',
    'if [ "${ir_kn:-0}" -gt 0 ] 2>/dev/null; then',
    '  echo "ir-kernel journal $(id)"',
    '  printf "%s\\n" "$ir_kout"',
    // One dmesg: where it is refused (kernel.dmesg_restrict) it prints nothing and fails.
    'elif ir_kout=$(dmesg 2>/dev/null); then',
    // dmesg stamps are seconds since boot: the boot time turns them into instants.
    '  read -r ir_k_up ir_k_idle < /proc/uptime',
    '  echo "ir-kernel dmesg $ir_k_up"',
    `  printf "%s\\n" "$ir_kout" | ${keep('ir-kernel-lines')}`,
    'elif [ "${ir_kn:-0}" = 0 ] && [ -d /run/systemd/journal ] && [ -n "$(journalctl -q --no-pager -n 1 -o cat 2>/dev/null)" ]; then',
    // The journal is readable and had no kernel line in the window.
    '  echo "ir-kernel journal $(id)"',
    'else',
    '  echo "ir-kernel unreadable $(id -un)"',
    'fi',
  ].join('\n');
}

export function parseKernelEvents(
  text: string,
  context: { hostNow: Date; windowStart: Date },
): Parsed<KernelEvents | null> {
  const lines = text.split('\n');
  const status = (lines.shift() ?? '').trim();
  const journalId = /^ir-kernel journal (.*)$/.exec(status);
  const journal = journalId ? parseIdOutput(journalId[1] ?? '') : null;
  const dmesg = /^ir-kernel dmesg ([\d.]+)$/.exec(status);
  const unreadable = /^ir-kernel unreadable (\S+)$/.exec(status);
  if (unreadable)
    return {
      value: null,
      problems: [
        `kernel messages not readable as user ${unreadable[1]}: add it to group systemd-journal (or adm) for the journal; dmesg needs root where kernel.dmesg_restrict=1`,
      ],
    };
  if (!journal && !dmesg) return { value: null, problems: [`unexpected kernel log output: ${excerpt(text)}`] };
  const problems: string[] = [];
  if (
    journal &&
    journal.user !== 'root' &&
    !journal.groups.some((g) => ['adm', 'systemd-journal', 'wheel'].includes(g))
  )
    problems.push(
      `user ${journal.user} may see only part of the kernel journal: add it to group systemd-journal (or adm)`,
    );
  const bootEpoch = dmesg ? context.hostNow.getTime() / 1000 - Number(dmesg[1]) : 0;
  const events: KernelEvents = { source: journal ? 'journal' : 'dmesg', counts: {}, examples: [] };
  for (const line of lines) {
    if (line.trim() === '' || line.startsWith('ir-kernel-lines ')) continue;
    const unix = journal ? /^(\d+)(?:\.\d+)? \S+ kernel: (.*)$/.exec(line) : null;
    const sinceBoot = dmesg ? /^\[\s*(\d+(?:\.\d+)?)\] (.*)$/.exec(line) : null;
    const read = unix?.[1]
      ? { time: new Date(Number(unix[1]) * 1000), message: unix[2] ?? '' }
      : sinceBoot?.[1]
        ? { time: new Date((bootEpoch + Number(sinceBoot[1])) * 1000), message: sinceBoot[2] ?? '' }
        : null;
    if (!read || read.time < context.windowStart) continue;
    const { time, message } = read;
    for (const [kind, pattern] of patterns) {
      const match = pattern.exec(message);
      if (!match) continue;
      events.counts[kind] = (events.counts[kind] ?? 0) + 1;
      const subject = match.slice(1).find((g) => g !== undefined) ?? '';
      if (events.examples.filter((e) => e.kind === kind).length < 3)
        events.examples.push({ kind, time: time.toISOString(), subject, message: message.slice(0, 300) });
      break;
    }
  }
  return { value: events, problems };
}

/** OOM kills, I/O and file system errors, segfaults, hung tasks, hardware errors in the window. */
export const kernelProbe: Probe = {
  name: 'kernel',
  commands: ({ run }) => [
    // Not capped on the host: awk lets at most 500 lines (of at most 1 KiB each) leave it. In
    // the batch's own shell (its variables are ir_k*): no subshell.
    { name: 'kernel', script: kernelEventsCommand(Date.parse(run.windowStart) / 1000), inline: true },
  ],
  parse: (sections, { hostNow, run }) => ({
    kernelEvents: sections.read(
      'kernel',
      (text) => parseKernelEvents(text, { hostNow, windowStart: new Date(run.windowStart) }),
      null,
    ),
  }),
};
