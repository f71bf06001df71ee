import type { FailureKind, LoginMethod } from '@infra-report/shared';
import { normaliseSource } from './login-source.js';

/**
 * What one sshd message says, read on its own. The message strings are OpenSSH's (auth.c,
 * auth2.c, auth-pam.c, sshd.c, packet.c, kex.c), older OpenSSH's and SunSSH's wordings of them,
 * and tcp_wrappers'. Counting (which lines of one connection are one attempt) is done by the
 * caller, per sshd process: see `countSshdEvents`.
 */
export type SshdReading =
  /** A successful login. */
  | { type: 'accepted'; method: LoginMethod; user: string; source: string; port: number | null }
  /** A "Failed <method> for ..." line: always one attempt. */
  | { type: 'failed'; kind: FailureKind; user: string; source: string; candidates?: SourceSplit[] }
  /**
   * The user refused before or besides the password check (invalid user, AllowUsers/DenyUsers/
   * AllowGroups/DenyGroups, root login, account or shell, a PAM failure reported by sshd): one
   * attempt unless the same connection logged "Failed" lines for it.
   */
  | { type: 'refused'; family: RefusalFamily; kind: FailureKind; user: string; source: string; count?: number }
  /** A connection that ended before a login (scan, probe, pre-auth disconnect). */
  | { type: 'probe'; kind: ProbeKind; user: string; source: string }
  /** A line that names only the connection's address ("Connection closed by X port N"). */
  | { type: 'address'; source: string }
  /** Old PAM-only format (sshd(pam_unix)): a failure / a session. */
  | { type: 'pam-only-failure'; user: string; source: string; count: number }
  | { type: 'pam-only-session'; user: string };

export type RefusalFamily = 'invalid-user' | 'not-allowed' | 'root-refused' | 'pam' | 'pam-unix';
export type ProbeKind = 'scan' | 'closed-preauth' | 'max-attempts';

/** One way to cut a "Failed" line into user and source, when the user name itself holds " from X port N". */
export interface SourceSplit {
  user: string;
  source: string;
}

const method =
  '(password|publickey|keyboard-interactive(?:/\\w+)?|hostbased|gssapi-with-mic|gssapi-keyex|gssapi|none|rhosts-rsa|rsa|challenge-response|[\\w@.-]+)';
const invalidPrefix = /^(?:invalid|illegal) user /;

// "port N" and the protocol are missing in old OpenSSH; the key description (publickey,
// hostbased) or a certificate's ID follows ": ".
const failedHead = new RegExp(`^Failed ${method} for (.*)$`);
const acceptedHead = new RegExp(`^Accepted ${method} for (\\S+) from (\\S+)(?: port (\\d+))?(?: ssh[12])?(?:: .*)?$`);
const addressTail = /^ from (\S+?)(?: port (\d+))?(?: (ssh[12]))?(: .*)?$/;
/** What sshd puts after "port N sshX: " itself: a key's type and fingerprint, maybe a certificate or client host. */
const keyDescription =
  /^: [A-Z0-9-]+(?:@openssh\.com)? (?:SHA256|MD5):[A-Za-z0-9+/=:]+(?: ID .*? \(serial \d+\) CA [A-Z0-9-]+ (?:SHA256|MD5):[A-Za-z0-9+/=:]+)?(?:, client user ".*", client host ".*")?$/;

/** auth.c allowed_user()'s reasons, written with or without "from HOST" by OpenSSH versions. */
const notAllowedBecause =
  "(?:not listed in AllowUsers|listed in DenyUsers|not in any group|a group is listed in DenyGroups|none of user's groups are listed in AllowGroups|shell \\S+ (?:does not exist|is not executable)|account is locked)";

const refusals: { pattern: RegExp; family: RefusalFamily; kind: FailureKind; user: number; source?: number }[] = [
  // auth.c getpwnamallow / old "Illegal user"; newer adds " port N".
  {
    pattern: /^(?:Invalid|Illegal) user (.*?) from (\S+?)(?: port \d+)?$/,
    family: 'invalid-user',
    kind: 'invalid-user',
    user: 1,
    source: 2,
  },
  // auth.c allowed_user().
  {
    pattern: new RegExp(`^User (.*?) from (\\S+) not allowed because ${notAllowedBecause}$`),
    family: 'not-allowed',
    kind: 'not-allowed',
    user: 1,
    source: 2,
  },
  {
    pattern: new RegExp(`^User (\\S+) not allowed because ${notAllowedBecause}$`),
    family: 'not-allowed',
    kind: 'not-allowed',
    user: 1,
  },
  {
    pattern: /^ROOT LOGIN REFUSED FROM (\S+?)(?: port \d+)?$/,
    family: 'root-refused',
    kind: 'root-refused',
    user: 0,
    source: 1,
  },
  // Linux-PAM's pam_unix inside sshd: one line for a connection's first wrong password ("PAM N
  // more authentication failures" at its end counts the rest; see pamUnixMore).
  {
    pattern:
      /^pam_unix\(sshd:auth\): authentication failure; logname=\S* uid=\d+ euid=\d+ tty=\S* ruser=\S* rhost=(\S+)(?:\s+user=(.*?))?\s*$/,
    family: 'pam-unix',
    kind: 'pam-failure',
    user: 2,
    source: 1,
  },
  // auth-pam.c, sshd built with PAM (FreeBSD, macOS, Solaris): "PAM: <pam_strerror> for [illegal user ]X from H[ via L]".
  {
    pattern:
      /^(?:error: )?PAM: (?:[Aa]uthentication (?:failure|error)|User not known to the underlying authentication module|Authentication service cannot retrieve authentication info|Maximum number of tries exceeded|Permission denied) for (.*) from (\S+?)(?: via \S+)?$/,
    family: 'pam',
    kind: 'pam-failure',
    user: 1,
    source: 2,
  },
];

const probes: { pattern: RegExp; kind: ProbeKind; source?: number; user?: number }[] = [
  { pattern: /^Did not receive identification string from (\S+?)(?: port \d+)?$/, kind: 'scan', source: 1 },
  { pattern: /^Bad protocol version identification .* from (\S+?)(?: port \d+)?$/, kind: 'scan', source: 1 },
  { pattern: /^Protocol major versions differ for (\S+?)(?: port \d+)?: /, kind: 'scan', source: 1 },
  { pattern: /^banner exchange: Connection from (\S+?) port \d+: /, kind: 'scan', source: 1 },
  { pattern: /^(?:fatal: )?Unable to negotiate with (\S+?) port \d+: no matching /, kind: 'scan', source: 1 },
  { pattern: /^(?:error: )?kex_exchange_identification: /, kind: 'scan' },
  {
    pattern:
      /^ssh_dispatch_run_fatal: Connection from (?:(?:invalid|authenticating) user .* )?(\S+) port \d+: .* \[preauth\]$/,
    kind: 'scan',
    source: 1,
  },
  // tcp_wrappers (libwrap in sshd): "refused connect from NAME (ADDRESS)".
  { pattern: /^refused connect from \S+ \((\S+)\)$/, kind: 'scan', source: 1 },
  { pattern: /^refused connect from (\S+)$/, kind: 'scan', source: 1 },
  {
    pattern:
      /^(?:error: )?maximum authentication attempts exceeded for (?:(?:invalid|illegal) user )?(.*) from (\S+) port \d+(?: ssh[12])?(?: \[preauth\])?$/,
    kind: 'max-attempts',
    user: 1,
    source: 2,
  },
  {
    pattern:
      /^Disconnecting(?: (?:invalid|authenticating) user (.*) (\S+) port \d+)?: Too many authentication failures(?: for (?:invalid user )?\S+)?(?: \[preauth\])?$/,
    kind: 'closed-preauth',
    user: 1,
    source: 2,
  },
  {
    pattern: /^Connection (?:closed|reset) by (?:(?:authenticating|invalid) user (.*) )?(\S+) port \d+ \[preauth\]$/,
    kind: 'closed-preauth',
    user: 1,
    source: 2,
  },
  { pattern: /^Connection (?:closed|reset) by (\S+?)(?: port \d+)? \[preauth\]$/, kind: 'closed-preauth', source: 1 },
  {
    pattern: /^Disconnected from (?:(?:authenticating|invalid) user (.*) )?(\S+) port \d+ \[preauth\]$/,
    kind: 'closed-preauth',
    user: 1,
    source: 2,
  },
  {
    pattern: /^(?:error: )?Received disconnect from (\S+?)(?: port \d+)?: ?\d+: .*\[preauth\]$/,
    kind: 'closed-preauth',
    source: 1,
  },
  { pattern: /^fatal: Timeout before authentication for (\S+?)(?: port \d+)?$/, kind: 'closed-preauth', source: 1 },
  // The client gave up after failing (reason 3, "Auth fail"): a disconnect, its tries are the "Failed" lines.
  {
    pattern: /^(?:error: )?Received disconnect from (\S+?)(?: port \d+)?: ?3: .*Auth fail(?: \[preauth\])?$/,
    kind: 'closed-preauth',
    source: 1,
  },
  { pattern: /^Disconnected from (\S+) port \d+ \[preauth\]$/, kind: 'closed-preauth', source: 1 },
  {
    pattern: /^Disconnecting (?:(?:invalid|authenticating) user (.*) )?(\S+) port \d+: .* \[preauth\]$/,
    kind: 'closed-preauth',
    user: 1,
    source: 2,
  },
  // Without an address: the connection's other lines name it.
  {
    pattern: /^fatal: (?:Read from socket failed|Write failed): Connection reset by peer \[preauth\]$/,
    kind: 'closed-preauth',
  },
  {
    pattern:
      /^fatal: (?:Unable to negotiate a key exchange method|no matching (?:cipher|mac|comp) found: .*) \[preauth\]$/,
    kind: 'scan',
  },
];

const addressOnly = [
  /^Connection (?:closed|reset) by (\S+?) port \d+$/,
  /^Connection from (\S+?)(?: port \d+(?: on \S+ port \d+(?: rdomain "\S*")?)?)?$/,
  /^Connection closed by (\S+?)$/,
];

/** pam_unix's count of a connection's failures after its first, logged when the connection ends. */
const pamUnixMore =
  /^PAM (\d+) more authentication failures?; logname=\S* uid=\d+ euid=\d+ tty=\S* ruser=\S* rhost=(\S+)(?:\s+user=(.*?))?\s*$/;

const pamOnlyFailure =
  /^(?:PAM (\d+) more )?authentication failures?; logname=\S* uid=\d+ euid=\d+ tty=\S* ruser=\S* rhost=(\S*)(?:\s+user=(.*?))?\s*$/;
const pamOnlySession = /^session opened for user (\S+?)(?:\(uid=\d+\))? by /;

/** Reads one sshd message (the text after "sshd[pid]: "). Null: nothing to count. */
export function readSshdMessage(rawMessage: string, pamOnlyFormat = false): SshdReading | null {
  // SunSSH's syslog adds a message id and facility: "[ID 800047 auth.info] Failed ...".
  const message = rawMessage.replace(/^\[ID \d+ [a-z0-9]+\.[a-z]+\] /, '').trimEnd();
  if (pamOnlyFormat) return readPamOnly(message);
  // The privilege-separated child appends " [preauth]" to what it logs.
  const body = message.endsWith(' [preauth]') ? message.slice(0, -' [preauth]'.length) : message;
  if (body.startsWith('Failed ')) return readFailed(body);
  if (message.startsWith('Accepted ')) {
    const m = acceptedHead.exec(message);
    const source = m?.[3] ? normaliseSource(m[3]) : null;
    return m?.[1] && m[2] && source !== null
      ? { type: 'accepted', method: loginMethod(m[1]), user: m[2], source, port: m[4] ? Number(m[4]) : null }
      : null;
  }
  for (const r of refusals) {
    const m = r.pattern.exec(body);
    if (!m) continue;
    const rawUser = r.user ? (m[r.user] ?? '') : 'root';
    const invalid = /^(?:illegal|invalid) user /.exec(rawUser);
    const source = r.source ? normaliseSource(m[r.source] ?? '') : '';
    if (source === null) return null;
    return {
      type: 'refused',
      family: r.family,
      kind: invalid && r.family === 'pam' ? 'invalid-user' : r.kind,
      user: invalid ? rawUser.slice(invalid[0].length) : rawUser,
      source,
    };
  }
  const more = pamUnixMore.exec(message);
  if (more?.[1] && more[2]) {
    const source = normaliseSource(more[2]);
    return source === null
      ? null
      : {
          type: 'refused',
          family: 'pam-unix',
          kind: 'pam-failure',
          user: more[3]?.trim() ?? '',
          source,
          count: Number(more[1]),
        };
  }
  for (const p of probes) {
    const m = p.pattern.exec(message);
    if (!m) continue;
    const source = p.source && m[p.source] !== undefined ? normaliseSource(m[p.source] ?? '') : '';
    if (source === null) return null;
    return { type: 'probe', kind: p.kind, user: p.user ? (m[p.user] ?? '') : '', source };
  }
  for (const pattern of addressOnly) {
    const m = pattern.exec(message);
    const source = m?.[1] ? normaliseSource(m[1]) : null;
    if (source !== null) return { type: 'address', source };
  }
  return null;
}

/**
 * "Failed <method> for [invalid user ]<user> from <source>[ port N][ sshX][: <key>]". A valid user
 * is an account name (no spaces): the first " from " follows it, and anything may trail. An
 * invalid user's name is the client's text and may itself hold " from X port N", as may text
 * trailing after the port: every cut is a candidate, and the one sshd wrote is, in this order
 * of trust, followed by "port N" and a key description or nothing; by "port N"; by a key
 * description or nothing; by anything.
 */
function readFailed(message: string): SshdReading | null {
  const head = failedHead.exec(message);
  if (!head?.[1] || head[2] === undefined) return null;
  const methodName = head[1];
  let rest = head[2];
  const invalid = invalidPrefix.exec(rest);
  if (invalid) rest = rest.slice(invalid[0].length);
  // SunSSH does not write the name it refused.
  const solarisInvalid = rest.startsWith('<invalid username> from ');
  const kind = failureKind(methodName, Boolean(invalid) || solarisInvalid);
  if (!invalid && !solarisInvalid) {
    const at = rest.indexOf(' from ');
    const tail = at > 0 && !/\s/.test(rest.slice(0, at)) ? addressTail.exec(rest.slice(at)) : null;
    const source = tail?.[1] ? normaliseSource(tail[1]) : null;
    return source === null ? null : { type: 'failed', kind, user: rest.slice(0, at), source };
  }
  const tiers: SourceSplit[][] = [[], [], [], []];
  for (let at = rest.indexOf(' from '); at >= 0; at = rest.indexOf(' from ', at + 1)) {
    const tail = addressTail.exec(rest.slice(at));
    if (!tail?.[1]) continue;
    const source = normaliseSource(tail[1]);
    if (source === null) continue;
    const suffix = tail[4];
    const strictSuffix = suffix === undefined || keyDescription.test(suffix);
    const tier = (tail[2] ? 0 : 2) + (strictSuffix ? 0 : 1);
    tiers[tier]!.push({ user: solarisInvalid ? '' : rest.slice(0, at), source });
  }
  const best = tiers.find((t) => t.length > 0);
  const first = best?.[0];
  if (!best || !first) return null;
  const all = tiers.flat();
  // More than one cut: the caller lets the connection's "Invalid user" line (whose name ends the
  // line, so it cuts only one way) decide; without one, the most trusted cut if it is alone.
  const chosen = best.length === 1 ? first : { user: first.user, source: '' };
  return all.length === 1
    ? { type: 'failed', kind, user: first.user, source: first.source }
    : { type: 'failed', kind, ...chosen, candidates: all };
}

function readPamOnly(message: string): SshdReading | null {
  const failure = pamOnlyFailure.exec(message);
  if (failure) {
    const source = failure[2] ? normaliseSource(failure[2]) : '';
    return {
      type: 'pam-only-failure',
      user: failure[3]?.trim() ?? '',
      source: source ?? '',
      count: failure[1] ? Number(failure[1]) : 1,
    };
  }
  const session = pamOnlySession.exec(message);
  return session?.[1] ? { type: 'pam-only-session', user: session[1] } : null;
}

function loginMethod(name: string): LoginMethod {
  switch (name) {
    case 'password':
    case 'publickey':
    case 'keyboard-interactive':
    case 'hostbased':
    case 'gssapi-with-mic':
      return name;
    default:
      return name.startsWith('keyboard-interactive') ? 'keyboard-interactive' : 'other';
  }
}

function failureKind(name: string, invalidUser: boolean): FailureKind {
  if (invalidUser) return 'invalid-user';
  if (name === 'password') return 'wrong-password';
  if (name === 'publickey' || name === 'rsa') return 'publickey-refused';
  if (name === 'hostbased' || name === 'rhosts-rsa') return 'hostbased-refused';
  if (name.startsWith('keyboard-interactive') || name === 'challenge-response') return 'keyboard-interactive';
  return 'other';
}
