import type { AcceptedLogin, AuthSignal, FailedLogin, PrivilegeUse } from '@infra-report/shared';
import { shellQuote } from './command-batch.js';
import { instantFromWallClock, instantsFromWallClock } from '@infra-report/shared';
import { journalCommand } from './journal.js';
import type { Parsed } from './parse-result.js';
import { countSshdEvents, type SshdLine } from './sshd-connections.js';
import { readSshdMessage } from './sshd-messages.js';

export const defaultAuthLogCandidates = ['/var/log/auth.log', '/var/log/secure'];

/** Extended regex for grep on the host: the programs whose lines the parser reads. */
export const authLogLineFilter =
  ' ((sshd(-session)?|sshd\\(pam_unix\\)|sudo|su|su\\(pam_unix\\))(\\[[0-9]+\\])?:|\\[sshd\\]:?) ';

/** Where the previous run stopped reading a host's auth log. */
export interface AuthLogPosition {
  path: string;
  inode: string;
  offset: number;
  /** cksum of the file's first `fingerprintBytes` bytes: inode numbers are reused after a delete. */
  fingerprint: string;
  fingerprintBytes: number;
  /** For journals: the cursor of the last entry read. */
  cursor?: string | null;
}

const fingerprintBytes = 512;
/** Room left under the cap for the chunk line (a path is at most 4,096 bytes) when no head caps a tail. */
const uncappedMargin = 8192;

/**
 * A journal to read: journald running, or journal files kept on disk (persistent or volatile).
 * An empty /var/log/journal (systemd installed, journald not running: containers) is none.
 */
const journalPresent = [
  'ir_j=""; for ir_jf in /var/log/journal/*/*.journal /run/log/journal/*/*.journal; do [ -e "$ir_jf" ] && { ir_j=1; break; }; done',
  'if [ -d /run/systemd/journal ] || [ -n "$ir_j" ]',
];

/**
 * The shell that reads the auth log incrementally. It finds the log, says whether it can be
 * read (and which group would help), then sends only new sshd/sudo/su lines:
 * - same file (inode and the checksum of its first bytes): from the remembered offset (tail
 *   seeks; a 1 GB log costs nothing to skip);
 * - same file but smaller: it was truncated, read it from the start;
 * - another file: finish the rotated one (found by the old inode and checksum) from the old
 *   offset, then read the new one;
 * - no position (first run) or the rotated file is gone: rotated files, plain or .gz, modified
 *   inside the window, then the current file.
 * Every part starts with a marker line carrying the batch nonce, so log text cannot forge one.
 */
export function authLogCommand(
  configuredPath: string,
  position: AuthLogPosition | null,
  windowStartEpoch: number,
  nonce: string,
  maxBytes: number,
): string {
  const candidates = configuredPath === 'auto' ? defaultAuthLogCandidates : [configuredPath];
  const usable = position && candidates.includes(position.path) ? position : null;
  return [
    `M='@@ir-${nonce}@@'`,
    "f=''",
    `for c in ${candidates.map(shellQuote).join(' ')}; do if [ -e "$c" ]; then f=$c; break; fi; done`,
    configuredPath === 'auto'
      ? // No log file (a journald-only system): read the journal instead.
        `if [ -z "$f" ]; then ${journalPresent[0]}
${journalPresent[1]} && command -v journalctl >/dev/null 2>&1; then echo 'ir-status journal'
${journalCommand('journal', position?.path === 'journal' ? (position.cursor ?? null) : null, windowStartEpoch, maxBytes)}
fi; echo 'ir-status missing'; exit 0; fi`
      : `if [ -z "$f" ]; then echo 'ir-status missing'; exit 0; fi`,
    `if [ ! -r "$f" ]; then echo "ir-status unreadable $(id -un) $(stat -c %G "$f" 2>/dev/null || echo '?') $f"; exit 0; fi`,
    `old_ino=${shellQuote(usable?.inode ?? '')}; old_off=${usable ? Math.max(0, Math.floor(usable.offset)) : 0}; start=${Math.floor(windowStartEpoch)}`,
    `old_fp=${shellQuote(usable?.fingerprint ?? '')}; old_fp_len=${usable ? Math.max(0, Math.floor(usable.fingerprintBytes)) : 0}`,
    // cksum's first field, split by the shell: no cut process.
    'fp() { set -- $(head -c "$2" "$1" | cksum); echo "$1"; }',
    // Inode, size and the first bytes' checksum in one command substitution (one fork).
    `set -- $(stat -L -c "%i %s" "$f" || echo '? ?'; head -c ${fingerprintBytes} "$f" | cksum)`,
    'ino=$1; size=$2; cur_fp=$3',
    'echo "ir-status ok $ino $size $cur_fp $f"',
    // "same" = the file read last time: same inode and same first bytes (for a log of 512 bytes
    // or more, the checksum just taken).
    // Decided once: a shorter fingerprint than the one just taken costs a checksum of its own.
    `same=''; if [ -n "$old_ino" ] && [ "$ino" = "$old_ino" ] && if [ "$old_fp_len" = ${fingerprintBytes} ]; then [ "$cur_fp" = "$old_fp" ]; else [ "$(fp "$f" "$old_fp_len")" = "$old_fp" ]; fi; then same=1; fi`,
    `filter() { grep -a -E '${authLogLineFilter}'; }`,
    `chunk() { printf '%s chunk %s %s\\n' "$M" "$1" "$2"; }`,
    // The same file's lines added since the remembered offset, up to the size just taken.
    'new_lines() { chunk tail "$f"; tail -c +$((old_off + 1)) "$f" | head -c $((size - old_off)) | filter; }',
    // Only what is read from the log is capped (head keeps one byte over the cap, so the
    // collector can tell "exactly the cap" from "cut"): the status lines cost no head process,
    // nor does the usual day, new lines of the same file that cannot reach the cap.
    `if [ -n "$same" ] && [ "$size" -ge "$old_off" ] && [ $((size - old_off)) -le ${Math.max(-1, maxBytes - uncappedMargin)} ]; then new_lines`,
    'else',
    '{ if [ -n "$same" ]; then',
    '  if [ "$size" -lt "$old_off" ]; then chunk truncated "$f"; head -c "$size" "$f" | filter',
    '  else new_lines; fi',
    'else',
    '  [ -n "$old_ino" ] && [ "$ino" = "$old_ino" ] && chunk replaced "$f"',
    "  found=''",
    // A rotated file is recognised by its first bytes: after "mv" it keeps the inode, after
    // copytruncate it is a copy with a new one.
    '  if [ -n "$old_ino" ]; then',
    '    for r in "$f".1 "$f"-[0-9]*; do',
    '      [ -f "$r" ] || continue',
    '      case "$r" in *.gz) continue;; esac',
    '      if [ "$(fp "$r" "$old_fp_len")" = "$old_fp" ]; then found=$r; break; fi',
    '    done',
    '  fi',
    '  if [ -n "$found" ]; then',
    '    chunk rotated-tail "$found"; tail -c +$((old_off + 1)) "$found" | filter',
    '  else',
    '    [ -n "$old_ino" ] && [ "$ino" != "$old_ino" ] && chunk rotated-lost "$f"',
    '    for r in "$f".[0-9]* "$f"-[0-9]*; do',
    '      [ -f "$r" ] || continue',
    '      [ "$(stat -L -c %Y "$r")" -ge "$start" ] || continue',
    '      if [ ! -r "$r" ]; then chunk unreadable "$r"; continue; fi',
    '      case "$r" in *.gz) chunk rotated "$r"; gzip -dc "$r" | filter;; *) chunk rotated "$r"; filter < "$r";; esac',
    '    done',
    '  fi',
    '  chunk full "$f"; head -c "$size" "$f" | filter',
    `fi; } | head -c ${maxBytes + 1}`,
    'fi',
    'exit 0',
  ].join('\n');
}

export type AuthLogStatus =
  | { status: 'ok'; path: string; position: AuthLogPosition }
  | { status: 'missing'; tried: string[] }
  | { status: 'journal' }
  | { status: 'unreadable'; path: string; user: string; group: string };

export function parseAuthLogStatus(firstLine: string, configuredPath: string): AuthLogStatus | null {
  const tried = configuredPath === 'auto' ? [...defaultAuthLogCandidates, 'the systemd journal'] : [configuredPath];
  if (firstLine === 'ir-status missing') return { status: 'missing', tried };
  if (firstLine === 'ir-status journal') return { status: 'journal' };
  const ok = /^ir-status ok (\d+) (\d+) (\d+) (.+)$/.exec(firstLine);
  if (ok?.[1] && ok[2] && ok[3] && ok[4]) {
    const size = Number(ok[2]);
    return {
      status: 'ok',
      path: ok[4],
      position: {
        path: ok[4],
        inode: ok[1],
        offset: size,
        fingerprint: ok[3],
        fingerprintBytes: Math.min(size, fingerprintBytes),
      },
    };
  }
  const unreadable = /^ir-status unreadable (\S+) (\S+) (.+)$/.exec(firstLine);
  if (unreadable?.[1] && unreadable[2] && unreadable[3]) {
    return { status: 'unreadable', user: unreadable[1], group: unreadable[2], path: unreadable[3] };
  }
  return null;
}

export interface AuthLogChunk {
  kind: 'tail' | 'truncated' | 'replaced' | 'rotated-tail' | 'rotated-lost' | 'rotated' | 'unreadable' | 'full';
  path: string;
}

/** Splits the section after its status line into the parts the script announced, and their lines. */
export function splitAuthLogChunks(body: string, nonce: string): { chunks: AuthLogChunk[]; lines: string } {
  const marker = `@@ir-${nonce}@@ chunk `;
  const chunks: AuthLogChunk[] = [];
  const kept: string[] = [];
  for (const line of body.split('\n')) {
    if (line.startsWith(marker)) {
      const rest = line.slice(marker.length);
      const space = rest.indexOf(' ');
      chunks.push({ kind: rest.slice(0, space) as AuthLogChunk['kind'], path: rest.slice(space + 1) });
    } else {
      kept.push(line);
    }
  }
  return { chunks, lines: kept.join('\n') };
}

/** The advice a sysadmin needs when the log cannot be read. */
export function describeUnreadableLog(status: { path: string; user: string; group: string }): string {
  const group = status.group !== '?' && status.group !== 'root' ? status.group : 'adm (or wheel)';
  return `cannot read ${status.path} as user ${status.user}: add it to group ${group}`;
}

export interface AuthLogContext {
  windowStart: Date;
  windowEnd: Date;
  /** The host's clock when collected: anchors the year of year-less syslog timestamps. */
  hostNow: Date;
  /** The host's UTC offset ("+0100"), used for timestamps that carry none when the zone is unknown. */
  utcOffset: string;
  /** The host's IANA zone: each timestamp gets the offset of its own date (DST). */
  timeZone?: string | null;
}

export interface AuthLogEvents {
  accepted: AcceptedLogin[];
  failed: FailedLogin[];
  signals: AuthSignal[];
  privilege: PrivilegeUse[];
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Old syslog daemons tag sshd "[sshd]" or "[sshd]:", without a pid (and maybe without a host). */
const bracketTag =
  /^([A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)( \S+)? \[sshd\]:? /;
const rfc3164Prefix = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\S+) (\S+?)(?:\[(\d+)\])?: ?(.*)$/;
/** Some syslog daemons (and remote relays) write no host name: "Nov 23 21:50:19 sshd[8148]: ...". */
const rfc3164NoHostPrefix =
  /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ()([A-Za-z][\w.()-]*)\[(\d+)\]: ?(.*)$/;
const isoPrefix =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?) (\S+) (\S+?)(?:\[(\d+)\])?: ?(.*)$/;
const sshPrograms = new Set(['sshd', 'sshd-session', 'sshd(pam_unix)']);
const suPrograms = new Set(['su', 'su(pam_unix)']);

const repeatedPattern = /^message repeated (\d+) times: \[ ?(.*?) ?\]$/;
const sudoPattern = /^\s*(\S+) : (?:(.*?) ; )?TTY=(\S+) ; PWD=.*? ; USER=(\S+) ; (?:ENV=.*? ; )?COMMAND=(.*)$/;
const suPattern = /^(FAILED SU )?\(to (\S+)\) (\S+) on (\S+)$/;
const suPamSessionPattern =
  /^(?:pam_unix\(su(?:-l)?:session\): )?session opened for user (\S+?)(?:\(uid=\d+\))? by (\S*?)(?:\(uid=\d+\))?$/;

interface LogEvent {
  time: Date;
  program: string;
  pid: string;
  message: string;
  count: number;
}

/** rsyslog's "message repeated N times: [ <message> ]": the message and N; any other message once. */
export function splitRepeated(message: string): { message: string; count: number } {
  const repeated = repeatedPattern.exec(message);
  return repeated?.[1] && repeated[2] !== undefined
    ? { message: repeated[2], count: Number(repeated[1]) }
    : { message, count: 1 };
}

/** Longer lines are not sshd's (it cuts names at 100 characters) and are skipped, not searched. */
const maxLineLength = 4096;

/**
 * Parses an auth log's sshd, sudo and su lines (RFC 3164 or RFC 3339 timestamps) and keeps the
 * window. sshd lines are read by `readSshdMessage` and counted per connection by
 * `countSshdEvents`. PAM lines count only in the old format where they carry their own tag
 * ("sshd(pam_unix)[pid]:", sshd then logged no "Failed"/"Accepted" lines); modern sshd logs
 * both, and counting both would count every attempt twice.
 */
export function parseAuthLog(text: string, context: AuthLogContext): Parsed<AuthLogEvents> {
  const events: LogEvent[] = [];
  let unparsed = 0;
  let tooLong = 0;
  let previous: Date | null = null;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '') continue;
    if (line.length > maxLineLength) {
      tooLong += 1;
      continue;
    }
    const entry = parseSyslogLine(line, context, previous);
    if (!entry) {
      unparsed += 1;
      continue;
    }
    previous = entry.time;
    if (entry.time < context.windowStart || entry.time > context.windowEnd) continue;
    events.push({ ...entry, ...splitRepeated(entry.message) });
  }

  // su logs "(to root) alice on pts/0" and a PAM session line for the same switch: count one.
  const pidsWithSu = new Set(
    events.filter((e) => suPrograms.has(e.program) && suPattern.test(e.message)).map((e) => e.pid),
  );

  const out: AuthLogEvents = { accepted: [], failed: [], signals: [], privilege: [] };
  const sshdLines: SshdLine[] = [];
  for (const e of events) {
    const time = e.time.toISOString();
    if (sshPrograms.has(e.program)) {
      const reading = readSshdMessage(e.message, e.program === 'sshd(pam_unix)');
      if (reading) sshdLines.push({ time: e.time, pid: e.pid, reading, count: e.count });
    } else if (e.program === 'sudo') {
      const m = sudoPattern.exec(e.message);
      if (m) {
        const [, user, failure, tty, asUser, command] = m as unknown as [
          string,
          string,
          string | undefined,
          string,
          string,
          string,
        ];
        out.privilege.push({
          time,
          tool: 'sudo',
          user,
          asUser,
          command,
          tty: tty === 'unknown' ? null : tty,
          success: !failure,
          failure: failure ?? null,
        });
      }
    } else if (suPrograms.has(e.program)) {
      const m = suPattern.exec(e.message);
      if (m) {
        const [, failed, asUser, user, tty] = m as unknown as [string, string | undefined, string, string, string];
        out.privilege.push({
          time,
          tool: 'su',
          user,
          asUser,
          command: null,
          tty,
          success: !failed,
          failure: failed ? 'authentication failure' : null,
        });
        continue;
      }
      const session = suPamSessionPattern.exec(e.message);
      if (session && !pidsWithSu.has(e.pid)) {
        const [, asUser, user] = session as unknown as [string, string, string];
        out.privilege.push({ time, tool: 'su', user, asUser, command: null, tty: null, success: true, failure: null });
      }
    }
  }
  const sshd = countSshdEvents(sshdLines, context.hostNow);
  Object.assign(out, { accepted: sshd.accepted, failed: sshd.failed, signals: sshd.signals });
  const problems = [...sshd.problems];
  if (unparsed > 0) problems.push(`${unparsed} auth log line(s) without a recognisable timestamp were skipped`);
  if (tooLong > 0) problems.push(`${tooLong} auth log line(s) longer than ${maxLineLength} characters were skipped`);
  return { value: out, problems };
}

interface SyslogEntry {
  time: Date;
  program: string;
  pid: string;
  message: string;
}

/**
 * One syslog line's time, program, pid and message. `previous` is the time of the line before it
 * in the file: a wall time that happened twice (the hour repeated when DST ends) is the second
 * occurrence when the first would go back in time from there.
 */
export function parseSyslogLine(
  line: string,
  context: Pick<AuthLogContext, 'hostNow' | 'utcOffset' | 'timeZone'>,
  previous: Date | null = null,
): SyslogEntry | null {
  // Read as "sshd:" (no pid: a connection of its own line), with a host name when it had none.
  const text = line.replace(
    bracketTag,
    (_, stamp: string, host: string | undefined) => `${stamp}${host ?? ' -'} sshd: `,
  );
  const classic = rfc3164NoHostPrefix.exec(text) ?? rfc3164Prefix.exec(text);
  if (classic) {
    const [, monthName, day, hh, mm, ss, , program, pid, message] = classic as unknown as string[];
    const month = months.indexOf(monthName ?? '');
    if (month < 0) return null;
    const time = inferYear(month, Number(day), Number(hh), Number(mm), Number(ss), context, previous);
    return time ? { time, program: program ?? '', pid: pid ?? '', message: message ?? '' } : null;
  }
  const iso = isoPrefix.exec(text);
  if (iso) {
    const [, stamp, , program, pid, message] = iso as unknown as string[];
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(stamp ?? '');
    const wall = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(stamp ?? '');
    const time =
      !hasZone && context.timeZone && wall
        ? instantFromWallClock(
            {
              year: +wall[1]!,
              month: +wall[2]!,
              day: +wall[3]!,
              hour: +wall[4]!,
              minute: +wall[5]!,
              second: +wall[6]!,
            },
            context.timeZone,
          )
        : new Date(hasZone ? (stamp ?? '') : `${stamp}${isoOffset(context.utcOffset)}`);
    return Number.isNaN(time.getTime())
      ? null
      : { time, program: program ?? '', pid: pid ?? '', message: message ?? '' };
  }
  return null;
}

/**
 * Syslog timestamps carry no year: take the host's current year, and the previous one when the
 * date would otherwise lie in the future (a December line read in January).
 */
function inferYear(
  month: number,
  day: number,
  hh: number,
  mm: number,
  ss: number,
  context: Pick<AuthLogContext, 'hostNow' | 'utcOffset' | 'timeZone'>,
  previous: Date | null,
): Date | null {
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return null;
  const offsetMinutes = offsetToMinutes(context.utcOffset);
  const hostLocalNow = new Date(context.hostNow.getTime() + offsetMinutes * 60_000);
  for (const year of [hostLocalNow.getUTCFullYear(), hostLocalNow.getUTCFullYear() - 1]) {
    const local = Date.UTC(year, month, day, hh, mm, ss);
    if (new Date(local).getUTCDate() !== day) continue; // Feb 29 in a non-leap year
    const instant = context.timeZone
      ? inFileOrder(
          instantsFromWallClock({ year, month: month + 1, day, hour: hh, minute: mm, second: ss }, context.timeZone),
          previous,
        )
      : new Date(local - offsetMinutes * 60_000);
    // A day of slack for clock skew between the log writer and `date`.
    if (instant.getTime() <= context.hostNow.getTime() + 86_400_000) return instant;
  }
  return null;
}

/** Of a repeated wall time's instants, the first that does not go back before the previous line (a minute of slack). */
function inFileOrder(instants: Date[], previous: Date | null): Date {
  const first = instants[0]!;
  if (!previous || instants.length === 1) return first;
  return instants.find((t) => t.getTime() >= previous.getTime() - 60_000) ?? first;
}

function offsetToMinutes(offset: string): number {
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

function isoOffset(offset: string): string {
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
  return match ? `${match[1]}${match[2]}:${match[3]}` : 'Z';
}
