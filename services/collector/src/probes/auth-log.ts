import type { AcceptedLogin, FailedLogin, FailureKind, LoginMethod } from '@infra-report/shared';
import { shellQuote } from './command-batch.js';
import type { Parsed } from './parse-result.js';

export const defaultAuthLogCandidates = ['/var/log/auth.log', '/var/log/secure'];

/**
 * Finds the auth log, says whether it can be read (and if not, which group would help), then
 * sends only sshd lines: the filtering happens on the host, not over the wire.
 */
export function authLogCommand(configuredPath: string): string {
  const candidates = configuredPath === 'auto' ? defaultAuthLogCandidates : [configuredPath];
  return [
    "f=''",
    `for c in ${candidates.map(shellQuote).join(' ')}; do if [ -e "$c" ]; then f=$c; break; fi; done`,
    `if [ -z "$f" ]; then echo 'ir-status missing'; exit 0; fi`,
    `if [ ! -r "$f" ]; then echo "ir-status unreadable $(id -un) $(stat -c %G "$f" 2>/dev/null || echo '?') $f"; exit 0; fi`,
    'echo "ir-status ok $f"',
    `grep -a -E 'sshd(-session)?\\[[0-9]+\\]:' "$f"`,
    'exit 0',
  ].join('\n');
}

export type AuthLogStatus =
  | { status: 'ok'; path: string }
  | { status: 'missing'; tried: string[] }
  | { status: 'unreadable'; path: string; user: string; group: string };

export function parseAuthLogStatus(firstLine: string, configuredPath: string): AuthLogStatus | null {
  const tried = configuredPath === 'auto' ? defaultAuthLogCandidates : [configuredPath];
  if (firstLine === 'ir-status missing') return { status: 'missing', tried };
  const ok = /^ir-status ok (.+)$/.exec(firstLine);
  if (ok?.[1]) return { status: 'ok', path: ok[1] };
  const unreadable = /^ir-status unreadable (\S+) (\S+) (.+)$/.exec(firstLine);
  if (unreadable?.[1] && unreadable[2] && unreadable[3]) {
    return { status: 'unreadable', user: unreadable[1], group: unreadable[2], path: unreadable[3] };
  }
  return null;
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
  /** The host's UTC offset ("+0100"), used for timestamps that carry none. */
  utcOffset: string;
}

export interface AuthLogEvents {
  accepted: AcceptedLogin[];
  failed: FailedLogin[];
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const rfc3164Prefix = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\S+) (\S+?)(?:\[(\d+)\])?: ?(.*)$/;
const isoPrefix = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?) (\S+) (\S+?)(?:\[(\d+)\])?: ?(.*)$/;
const sshPrograms = new Set(['sshd', 'sshd-session']);

// Greedy "(.*) from": a username is attacker-chosen and may itself contain " from x port y";
// the real source is the last "from ... port ..." of the line.
const acceptedPattern = /^Accepted (\S+) for (.*) from (\S+) port (\d+)(?: ssh2)?(?:: .*)?$/;
const failedPattern = /^Failed (\S+) for (invalid user )?(.*) from (\S+) port (\d+)(?: ssh2)?(?:: .*)?$/;
const repeatedPattern = /^message repeated (\d+) times: \[ ?(.*?) ?\]$/;

/** Parses sshd lines of an auth log (syslog RFC 3164 or RFC 3339 timestamps), keeping the window. */
export function parseAuthLog(text: string, context: AuthLogContext): Parsed<AuthLogEvents> {
  const accepted: AcceptedLogin[] = [];
  const failed: FailedLogin[] = [];
  const problems: string[] = [];
  let unparsedTimestamps = 0;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '') continue;
    const entry = parseSyslogLine(line, context);
    if (!entry) {
      unparsedTimestamps += 1;
      continue;
    }
    if (!sshPrograms.has(entry.program)) continue;
    if (entry.time < context.windowStart || entry.time > context.windowEnd) continue;
    let message = entry.message;
    let count = 1;
    const repeated = repeatedPattern.exec(message);
    if (repeated?.[1] && repeated[2] !== undefined) {
      count = Number(repeated[1]);
      message = repeated[2];
    }
    const time = entry.time.toISOString();
    const acceptedMatch = acceptedPattern.exec(message);
    if (acceptedMatch) {
      const [, method, user, sourceIp, port] = acceptedMatch as unknown as [string, string, string, string, string];
      for (let i = 0; i < count; i += 1) accepted.push({ time, user, sourceIp, port: Number(port), method: loginMethod(method) });
      continue;
    }
    const failedMatch = failedPattern.exec(message);
    if (failedMatch) {
      const [, method, invalid, user, sourceIp] = failedMatch as unknown as [string, string, string | undefined, string, string];
      failed.push({ time, user, sourceIp, kind: failureKind(method, Boolean(invalid)), count });
    }
  }
  if (unparsedTimestamps > 0) problems.push(`${unparsedTimestamps} auth log line(s) without a recognisable timestamp were skipped`);
  return { value: { accepted, failed }, problems };
}

interface SyslogEntry {
  time: Date;
  program: string;
  message: string;
}

export function parseSyslogLine(line: string, context: Pick<AuthLogContext, 'hostNow' | 'utcOffset'>): SyslogEntry | null {
  const classic = rfc3164Prefix.exec(line);
  if (classic) {
    const [, monthName, day, hh, mm, ss, , program, , message] = classic as unknown as string[];
    const month = months.indexOf(monthName ?? '');
    if (month < 0) return null;
    const time = inferYear(month, Number(day), Number(hh), Number(mm), Number(ss), context);
    return time ? { time, program: program ?? '', message: message ?? '' } : null;
  }
  const iso = isoPrefix.exec(line);
  if (iso) {
    const [, stamp, , program, , message] = iso as unknown as string[];
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(stamp ?? '');
    const time = new Date(hasZone ? (stamp ?? '') : `${stamp}${isoOffset(context.utcOffset)}`);
    return Number.isNaN(time.getTime()) ? null : { time, program: program ?? '', message: message ?? '' };
  }
  return null;
}

/**
 * Syslog timestamps carry no year: take the host's current year, and the previous one when the
 * date would otherwise lie in the future (a December line read in January).
 */
function inferYear(month: number, day: number, hh: number, mm: number, ss: number, context: Pick<AuthLogContext, 'hostNow' | 'utcOffset'>): Date | null {
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return null;
  const offsetMinutes = offsetToMinutes(context.utcOffset);
  const hostLocalNow = new Date(context.hostNow.getTime() + offsetMinutes * 60_000);
  for (const year of [hostLocalNow.getUTCFullYear(), hostLocalNow.getUTCFullYear() - 1]) {
    const local = Date.UTC(year, month, day, hh, mm, ss);
    if (new Date(local).getUTCDate() !== day) continue; // Feb 29 in a non-leap year
    const instant = new Date(local - offsetMinutes * 60_000);
    // A day of slack for clock skew between the log writer and `date`.
    if (instant.getTime() <= context.hostNow.getTime() + 86_400_000) return instant;
  }
  return null;
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

function loginMethod(method: string): LoginMethod {
  switch (method) {
    case 'password':
    case 'publickey':
    case 'keyboard-interactive':
    case 'hostbased':
    case 'gssapi-with-mic':
      return method;
    default:
      return method.startsWith('keyboard-interactive') ? 'keyboard-interactive' : 'other';
  }
}

function failureKind(method: string, invalidUser: boolean): FailureKind {
  if (invalidUser) return 'invalid-user';
  if (method === 'password') return 'wrong-password';
  if (method === 'publickey') return 'publickey-refused';
  if (method.startsWith('keyboard-interactive')) return 'keyboard-interactive';
  return 'other';
}

