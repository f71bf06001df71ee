import { shellQuote } from './command-batch.js';
import { parseIdOutput } from './id-output.js';
import type { Parsed } from './parse-result.js';

/** "journal" reads the system journal; "journal:/path" a journal file (e.g. from systemd-journal-remote). */
export function isJournalSource(authLog: string): boolean {
  return authLog === 'journal' || authLog.startsWith('journal:');
}

/**
 * journalctl for sshd, sudo and su, as JSON. Matched on _COMM, which journald sets from the
 * process itself: "logger -t sshd" cannot forge it (SYSLOG_IDENTIFIER can be anything).
 * Incremental by cursor; the first read starts at the window.
 */
export function journalCommand(
  authLog: string,
  cursor: string | null,
  windowStartEpoch: number,
  maxBytes: number,
): string {
  const file = authLog.startsWith('journal:') ? authLog.slice('journal:'.length) : null;
  const args = [
    ...(file ? [`--file=${shellQuote(file)}`] : []),
    '-o json --no-pager -q',
    cursor ? `--after-cursor=${shellQuote(cursor)}` : `--since=@${Math.floor(windowStartEpoch)}`,
    '_COMM=sshd _COMM=sshd-session _COMM=sudo _COMM=su',
  ].join(' ');
  return [
    'if ! command -v journalctl >/dev/null 2>&1; then echo "ir-journal missing"; exit 0; fi',
    file
      ? `if [ ! -r ${shellQuote(file)} ]; then echo "ir-journal unreadable $(id -un) ${file.replace(/[^A-Za-z0-9/._-]/g, '_')}"; exit 0; fi`
      : '',
    'echo "ir-journal ok $(id)"',
    // Capped on the host (one byte over, so the collector can tell "exactly the cap" from "cut").
    `journalctl ${args} | head -c ${maxBytes + 1}`,
    'exit 0',
  ]
    .filter(Boolean)
    .join('\n');
}

export type JournalRead =
  | { status: 'ok'; lines: string; cursor: string | null; userCanSeeAll: boolean; user: string }
  | { status: 'missing' }
  | { status: 'unreadable'; user: string; path: string };

interface JournalEntry {
  MESSAGE?: string | number[] | null;
  _COMM?: string;
  SYSLOG_IDENTIFIER?: string;
  _PID?: string;
  __REALTIME_TIMESTAMP?: string;
  __CURSOR?: string;
}

/** Turns journal JSON entries into RFC 3339 syslog lines, so one parser reads files and journals alike. */
export function parseJournalOutput(text: string): Parsed<JournalRead> {
  const lines = text.split('\n');
  const status = lines.shift() ?? '';
  if (status === 'ir-journal missing') return { value: { status: 'missing' }, problems: [] };
  const unreadable = /^ir-journal unreadable (\S+) (.+)$/.exec(status);
  if (unreadable?.[1] && unreadable[2])
    return { value: { status: 'unreadable', user: unreadable[1], path: unreadable[2] }, problems: [] };
  const ok = /^ir-journal ok (.*)$/.exec(status);
  const id = ok ? parseIdOutput(ok[1] ?? '') : null;
  if (!id) return { value: { status: 'missing' }, problems: ['unexpected output while reading the journal'] };
  const groups = id.groups;
  const out: string[] = [];
  const problems: string[] = [];
  let cursor: string | null = null;
  let bad = 0;
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    let entry: JournalEntry;
    try {
      entry = JSON.parse(line) as JournalEntry;
    } catch {
      bad += 1;
      continue;
    }
    if (entry.__CURSOR) cursor = entry.__CURSOR;
    const micros = Number(entry.__REALTIME_TIMESTAMP);
    if (!Number.isFinite(micros)) continue;
    // journald stores non-UTF-8 messages as byte arrays.
    const message = Array.isArray(entry.MESSAGE) ? Buffer.from(entry.MESSAGE).toString('utf8') : (entry.MESSAGE ?? '');
    const program = entry._COMM ?? entry.SYSLOG_IDENTIFIER ?? '';
    const iso = new Date(Math.floor(micros / 1000)).toISOString();
    out.push(
      `${iso} journal ${program}${entry._PID ? `[${entry._PID}]` : ''}: ${String(message).replace(/[\r\n]+/g, ' ')}`,
    );
  }
  if (bad > 0) problems.push(`${bad} journal entr${bad === 1 ? 'y' : 'ies'} could not be decoded`);
  return {
    value: {
      status: 'ok',
      lines: out.join('\n'),
      cursor,
      user: id.user,
      userCanSeeAll: groups.some((g) => ['root', 'adm', 'wheel', 'systemd-journal'].includes(g)) || id.user === 'root',
    },
    problems,
  };
}
