import type { AcceptedLogin, AuthSignal, FailedLogin } from '@infra-report/shared';
import type { RefusalFamily, SshdReading } from './sshd-messages.js';

/** One sshd line, read, with what the syslog prefix said. */
export interface SshdLine {
  time: Date;
  /** The sshd process id; empty when the log has none. */
  pid: string;
  reading: SshdReading;
  /** `message repeated N times`: N, else 1. */
  count: number;
}

export interface SshdCounts {
  accepted: AcceptedLogin[];
  failed: FailedLogin[];
  signals: AuthSignal[];
  problems: string[];
}

/**
 * A pre-authentication sshd process lives at most LoginGraceTime (2 minutes by default); lines of
 * one pid further apart than this are another connection that reused the pid.
 */
const connectionGapMs = 10 * 60_000;

/**
 * Counts failed attempts the way README "What counts as a failed login" states, per sshd process
 * (one process is one connection):
 * - each "Failed <method>" line is one attempt (`message repeated N times`: N);
 * - a refusal (invalid user, AllowUsers/DenyUsers/AllowGroups/DenyGroups, root login, a PAM
 *   failure reported by sshd) is the reason of the connection's "Failed" lines, not an attempt
 *   more; a connection with more refusals of one family than "Failed" lines counts the difference
 *   (a scanner that leaves after "Invalid user", sshd without "Failed" lines for PAM);
 *   pam_unix's "authentication failure" and "PAM N more authentication failures" lines are one
 *   such family (sshd logged no "Failed" line for a wrong password: keyboard-interactive via PAM);
 * - a connection that logged a scan or pre-auth disconnect line is one probe, whatever else it did;
 *   "maximum authentication attempts exceeded" with no attempt counted otherwise is one attempt;
 * - keys refused in a connection that then logged in are the client trying its keys, not failures.
 */
export function countSshdEvents(lines: SshdLine[], readUntil: Date): SshdCounts {
  const out: SshdCounts = { accepted: [], failed: [], signals: [], problems: [] };
  let unattributed = 0;
  for (const connection of groupConnections(lines)) {
    const address = connection.find((l) => sourceOf(l.reading) !== '')?.reading;
    const connectionSource = address ? sourceOf(address) : '';
    const invalidUserNames = connection.flatMap((l) =>
      l.reading.type === 'refused' && l.reading.family === 'invalid-user' ? [l.reading.user] : [],
    );
    // A client offers its keys one after the other: keys refused before one is accepted are not failed logins.
    const loggedIn = connection.some((l) => l.reading.type === 'accepted');
    let failedCount = 0;
    const refusals = new Map<RefusalFamily, SshdLine[]>();
    let probe: AuthSignal | null = null;
    for (const line of connection) {
      const { reading, count } = line;
      const time = line.time.toISOString();
      switch (reading.type) {
        case 'accepted':
          for (let i = 0; i < count; i += 1)
            out.accepted.push({
              time,
              user: reading.user,
              sourceIp: reading.source,
              port: reading.port,
              method: reading.method,
            });
          break;
        case 'failed': {
          if (loggedIn && reading.kind === 'publickey-refused') break;
          let { user, source } = reading;
          if (reading.candidates) {
            // The user name itself holds " from X port N": the connection's "Invalid user" line says
            // which name sshd saw; without it the attempt is counted, under no source.
            const named = reading.candidates.find((c) => invalidUserNames.includes(c.user));
            if (named) ({ user, source } = named);
            else if (source === '') unattributed += count;
          }
          out.failed.push({ time, user, sourceIp: source, kind: reading.kind, count });
          failedCount += count;
          break;
        }
        case 'refused': {
          const family = refusals.get(reading.family) ?? [];
          family.push(line);
          refusals.set(reading.family, family);
          if (reading.family === 'invalid-user')
            out.signals.push({
              time,
              kind: 'invalid-user',
              user: reading.user,
              sourceIp: reading.source || connectionSource,
              count,
            });
          break;
        }
        case 'probe':
          if (!probe || reading.kind === 'max-attempts')
            probe = {
              time,
              kind: reading.kind,
              user: reading.user,
              sourceIp: reading.source || connectionSource,
              count: 1,
            };
          break;
        case 'pam-only-failure':
          out.failed.push({
            time,
            user: reading.user,
            sourceIp: reading.source,
            kind: 'pam-failure',
            count: reading.count * count,
          });
          break;
        case 'pam-only-session':
          out.accepted.push({ time, user: reading.user, sourceIp: '', port: null, method: 'other' });
          break;
        case 'address':
          break;
      }
    }
    // Refusals beyond the connection's "Failed" lines are attempts of their own. pam_unix logs a
    // wrong password a moment before sshd's "Failed" line: a connection read only up to that
    // moment (the next collection reads the rest) counts it once its end is seen or long past.
    if (refusals.has('pam-unix') && !connectionEnded(connection, readUntil)) refusals.delete('pam-unix');
    const [, widest] = [...refusals.entries()].reduce<[number, SshdLine[]]>(
      (best, [, family]) => {
        const total = family.reduce((n, l) => n + refusalCount(l), 0);
        return total > best[0] ? [total, family] : best;
      },
      [0, []],
    );
    let extra = widest.reduce((n, l) => n + refusalCount(l), 0) - failedCount;
    for (const line of widest) {
      if (extra <= 0) break;
      if (line.reading.type !== 'refused') continue;
      const count = Math.min(refusalCount(line), extra);
      out.failed.push({
        time: line.time.toISOString(),
        user: line.reading.user,
        sourceIp: line.reading.source || connectionSource,
        kind: line.reading.kind,
        count,
      });
      failedCount += count;
      extra -= count;
    }
    // MaxAuthTries reached with no attempt logged one by one (keys offered and refused are not
    // logged as "Failed"): at least one failed attempt, which the line proves.
    if (probe?.kind === 'max-attempts' && failedCount === 0 && !loggedIn)
      out.failed.push({ time: probe.time, user: probe.user, sourceIp: probe.sourceIp, kind: 'max-attempts', count: 1 });
    if (probe) out.signals.push(probe);
  }
  if (unattributed > 0)
    out.problems.push(
      `${unattributed} failed SSH attempt(s) with a user name that holds another address could not be tied to one source: counted under an unknown source`,
    );
  const byTime = (a: { time: string }, b: { time: string }) => a.time.localeCompare(b.time);
  out.accepted.sort(byTime);
  out.failed.sort(byTime);
  out.signals.sort(byTime);
  return out;
}

/** The connection's end is in the lines read (a probe line, "PAM N more"), or long past. */
function connectionEnded(connection: SshdLine[], readUntil: Date): boolean {
  return (
    connection.some((l) => l.reading.type === 'probe' || (l.reading.type === 'refused' && l.reading.count)) ||
    readUntil.getTime() - (connection.at(-1)?.time.getTime() ?? 0) > connectionGapMs
  );
}

/** A refusal line's attempts: "PAM N more authentication failures" holds N, times rsyslog's repeats. */
function refusalCount(line: SshdLine): number {
  return (line.reading.type === 'refused' ? (line.reading.count ?? 1) : 1) * line.count;
}

function sourceOf(reading: SshdReading): string {
  switch (reading.type) {
    case 'accepted':
    case 'failed':
    case 'refused':
    case 'probe':
    case 'address':
    case 'pam-only-failure':
      return reading.source;
    case 'pam-only-session':
      return '';
  }
}

/** Lines of one sshd process, in file order; lines without a pid are one connection each. */
function groupConnections(lines: SshdLine[]): SshdLine[][] {
  const connections: SshdLine[][] = [];
  const open = new Map<string, { lines: SshdLine[]; last: number }>();
  for (const line of lines) {
    if (line.pid === '') {
      connections.push([line]);
      continue;
    }
    const current = open.get(line.pid);
    if (current && Math.abs(line.time.getTime() - current.last) <= connectionGapMs) {
      current.lines.push(line);
      current.last = line.time.getTime();
      continue;
    }
    const fresh = { lines: [line], last: line.time.getTime() };
    connections.push(fresh.lines);
    open.set(line.pid, fresh);
  }
  return connections;
}
