import type { ProcessCounts, SuspiciousProcess } from '@infra-report/shared';
import { excerpt, type Parsed } from './parse-result.js';

/** The state letter of every process: the field after the last ")" of /proc/PID/stat (comm may hold spaces and parentheses). */
export const processStatesCommand =
  "cat /proc/[0-9]*/stat 2>/dev/null | sed -n 's/.*) \\([A-Za-z]\\) .*/\\1/p' | sort | uniq -c";

export function parseProcessStates(text: string): Parsed<ProcessCounts | null> {
  const counts: Record<string, number> = {};
  const problems: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*(\d+) ([A-Za-z])$/.exec(line);
    if (match?.[1] && match[2]) counts[match[2]] = (counts[match[2]] ?? 0) + Number(match[1]);
    else if (line.trim() !== '') problems.push(`unexpected process state line: ${excerpt(line)}`);
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
    },
    problems,
  };
}

/**
 * Executables of running processes that live in world-writable places or were deleted after
 * start: common after an intrusion. Without root only the SSH user's own processes can be
 * looked at; the count of the others is reported so the gap is visible.
 */
export const suspiciousProcessesCommand = [
  'seen=0; hidden=0',
  'for p in /proc/[0-9]*; do',
  '  e=$(readlink "$p/exe" 2>/dev/null) || {',
  // Kernel threads (kthreadd, pid 2, and its children) and zombies have no executable: nothing hidden.
  '    read -r st < "$p/stat" 2>/dev/null || continue',
  '    set -- ${st##*) }',
  '    [ "${p#/proc/}" = 2 ] || [ "$2" = 2 ] || [ "$1" = Z ] || hidden=$((hidden + 1))',
  '    continue',
  '  }',
  '  seen=$((seen + 1))',
  '  case "$e" in /tmp/*|/var/tmp/*|/dev/shm/*|*" (deleted)") printf "proc %s %s\\n" "${p#/proc/}" "$e";; esac',
  'done',
  'echo "visibility $seen $hidden"',
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
