import type { ProcessCounts, SuspiciousProcess } from '@infra-report/shared';
import { excerpt, type Parsed } from './parse-result.js';
import type { Probe } from './probe.js';

export function parseProcessStates(text: string): Parsed<ProcessCounts | null> {
  const counts: Record<string, number> = {};
  const problems: string[] = [];
  let threads: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^\s*(\d+) ([A-Za-z])$/.exec(line);
    const threadLine = /^\s*(\d+) threads$/.exec(line);
    if (match?.[1] && match[2]) counts[match[2]] = (counts[match[2]] ?? 0) + Number(match[1]);
    else if (threadLine?.[1]) threads = Number(threadLine[1]);
    else if (line.trim() !== '' && !/^(proc|visibility) /.test(line))
      problems.push(`unexpected process state line: ${excerpt(line)}`);
  }
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  if (total === 0) return { value: null, problems: [...problems, 'no process found in /proc'] };
  const get = (...letters: string[]) => letters.reduce((sum, l) => sum + (counts[l] ?? 0), 0);
  return {
    value: {
      total,
      running: get('R'),
      sleeping: get('S', 'I'),
      blocked: get('D'),
      zombies: get('Z'),
      stopped: get('T', 't'),
      // As Telegraf's processes input counts them.
      idle: get('I'),
      paging: get('W'),
      dead: get('X', 'x'),
      parked: get('P'),
      unknown: total - get('R', 'S', 'I', 'D', 'Z', 'T', 't', 'W', 'X', 'x', 'P'),
      ...(threads !== undefined ? { threads } : {}),
    },
    problems,
  };
}

/**
 * One ls and one awk for every process: the states and threads (Telegraf's processes input)
 * and the executables that live in world-writable places or were deleted after start (common
 * after an intrusion).
 * - `ls -ln /proc/[0-9]*\/exe` writes "... /proc/PID/exe -> TARGET" per process, with no
 *   readlink per process. Without root, other users' links say "Permission denied": counted as
 *   hidden, so the gap is visible. Kernel threads and zombies have no executable ("No such
 *   file"): nothing hidden there.
 * - For every link ls lists, awk reads /proc/PID/stat (readable by anyone): the state letter
 *   after the last ") " (comm may hold spaces and parentheses) and the 18th field after it,
 *   num_threads.
 */
export const processesCommand = [
  "ls -ln /proc/[0-9]*/exe 2>&1 | awk '",
  '  / -> / {',
  '    seen++; target = $0; sub(/^.* \\/proc\\/[0-9]+\\/exe -> /, "", target)',
  '    pid = $0; sub(/\\/exe -> .*$/, "", pid); sub(/^.* \\/proc\\//, "", pid)',
  '    if (target ~ /^\\/(tmp|var\\/tmp|dev\\/shm)\\// || target ~ / \\(deleted\\)$/) print "proc " pid " " target',
  '  }',
  '  !/ -> / && /Permission denied$/ { hidden++ }',
  // Once per process: from ls's own line for the link ("lrwx..."), not from its error line about
  // the same link (a kernel thread, a zombie, another user's process has both). The first
  // /proc/PID/exe of that line is the one ls names (a link's target can hold anything).
  '  /^l[-r]/ && match($0, /\\/proc\\/[0-9]+\\/exe/) {',
  '    f = substr($0, RSTART, RLENGTH - 3) "stat"',
  '    if ((getline s < f) > 0) { sub(/.*\\) /, "", s); split(s, a, " "); n[substr(s, 1, 1)]++; t += a[18] }',
  '    close(f)',
  '  }',
  '  END { for (x in n) print n[x], x; print t + 0, "threads"; print "visibility " seen + 0 " " hidden + 0 }\'',
].join('\n');

export function parseSuspiciousProcesses(text: string): Parsed<{ processes: SuspiciousProcess[]; hidden: number }> {
  const processes: SuspiciousProcess[] = [];
  let hidden = 0;
  for (const line of text.split('\n')) {
    const proc = /^proc (\d+) (.+)$/.exec(line);
    if (proc?.[1] && proc[2]) {
      const deleted = proc[2].endsWith(' (deleted)');
      processes.push({
        pid: Number(proc[1]),
        executable: deleted ? proc[2].slice(0, -' (deleted)'.length) : proc[2],
        deleted,
      });
      continue;
    }
    const visibility = /^visibility (\d+) (\d+)$/.exec(line);
    if (visibility?.[2]) hidden = Number(visibility[2]);
  }
  return { value: { processes, hidden }, problems: [] };
}

/** Process states, and processes running from /tmp, /var/tmp, /dev/shm or deleted executables. */
export const processesProbe: Probe = {
  name: 'processes',
  // In the batch's own shell (no variables of its own): no subshell around the pipeline.
  commands: () => [{ name: 'processes', script: processesCommand, inline: true }],
  parse(sections) {
    const { states, suspicious } = sections.read(
      'processes',
      (text) => {
        const found = parseSuspiciousProcesses(text);
        const counted = parseProcessStates(text);
        return {
          value: { states: counted.value, suspicious: found.value },
          problems: [...counted.problems, ...found.problems],
        };
      },
      { states: null, suspicious: { processes: [], hidden: 0 } },
    );
    if (suspicious.hidden > 0)
      sections.problem({
        probe: 'processes',
        message: `${suspicious.hidden} process(es) could not be inspected (other users' processes need root): /tmp and deleted executables were checked among the visible ones only`,
        expectedWithoutRoot: true,
      });
    return { processes: states, suspiciousProcesses: suspicious.processes };
  },
};
