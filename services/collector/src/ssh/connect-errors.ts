import { fingerprint, type CollectFailureKind, type HostKeyVerdict, type ResolvedHost } from '@infra-report/shared';
import { CollectionError } from '../command-runner.js';

export interface ConnectContext {
  host: ResolvedHost;
  target: string;
  verdict: HostKeyVerdict | undefined;
  presented: Buffer | undefined;
}

type ConnectError = Error & { level?: string; code?: string };

interface Classified {
  kind: CollectFailureKind;
  /** Retrying cannot help (a wrong key, no algorithm in common, a name that does not exist). */
  permanent: boolean;
  reason(where: string, context: ConnectContext, error: ConnectError): string;
}

const seconds = (ms: number) => Math.round(ms / 1000);

/** Socket errors, by Node's code, and our own for a silent or closing peer. */
const byCode: Record<string, Classified> = {
  IR_NO_BANNER: {
    kind: 'timeout',
    permanent: false,
    reason: (where, { host }) =>
      `timeout: ${where} (host ${host.name}) accepted the connection but sent no SSH banner within ${seconds(host.ssh.connectTimeoutMs)} s (hung sshd, tarpit or a firewall holding the connection)`,
  },
  IR_CLOSED_BEFORE_BANNER: {
    kind: 'closed',
    permanent: false,
    reason: (where, { host }) =>
      `${where} (host ${host.name}) closed the connection before the SSH handshake (sshd MaxStartups or tcp wrappers refusing us, or not an SSH server)`,
  },
  ENOTFOUND: {
    kind: 'dns',
    permanent: true,
    reason: (_where, { host }) => `DNS lookup failed for ${host.address} (host ${host.name})`,
  },
  EAI_AGAIN: {
    kind: 'dns',
    permanent: false,
    reason: (_where, { host }) => `DNS lookup failed for ${host.address} (host ${host.name})`,
  },
  ECONNREFUSED: {
    kind: 'refused',
    permanent: false,
    reason: (where, { host }) =>
      `connection refused by ${where} (host ${host.name}): is sshd running on port ${host.ssh.port}?`,
  },
  EHOSTUNREACH: {
    kind: 'unreachable',
    permanent: false,
    reason: (where, { host }) => `no route to ${where} (host ${host.name})`,
  },
  ENETUNREACH: {
    kind: 'unreachable',
    permanent: false,
    reason: (where, { host }) => `no route to ${where} (host ${host.name})`,
  },
  ECONNRESET: {
    kind: 'closed',
    permanent: false,
    reason: (where, { host }) => `connection reset by ${where} (host ${host.name}) during the SSH handshake`,
  },
  ETIMEDOUT: {
    kind: 'timeout',
    permanent: false,
    reason: (where, { host }) => `timeout connecting to ${where} (host ${host.name})`,
  },
};

/** ssh2's errors, by the level it gives them. */
const byLevel: Record<string, Classified> = {
  'client-timeout': {
    kind: 'timeout',
    permanent: false,
    reason: (where, { host }) =>
      `timeout: no SSH handshake with ${where} (host ${host.name}) within ${seconds(host.ssh.connectTimeoutMs)} s`,
  },
  // No algorithm in common (or a key exchange that failed).
  handshake: {
    kind: 'protocol',
    permanent: true,
    reason: (where, { host }, error) => `SSH handshake with ${where} (host ${host.name}) failed: ${error.message}`,
  },
  protocol: {
    kind: 'protocol',
    permanent: false,
    reason: (where, { host }, error) => `${where} (host ${host.name}) does not speak SSH correctly: ${error.message}`,
  },
  'client-authentication': {
    kind: 'auth',
    permanent: true,
    reason: (_where, { host, target }) =>
      `authentication failed for ${target}: the server refused the key (check authorized_keys of ${host.ssh.user})`,
  },
};

/**
 * What ssh2 says only in words (no code, no level, or a level that does not tell the case),
 * checked before the other levels: each pattern is the message ssh2 gives.
 */
const byMessage: { pattern: RegExp; code?: string; classified: Classified }[] = [
  { pattern: /Timed out while waiting for handshake/i, classified: byLevel['client-timeout']! },
  {
    // The peer went away mid-handshake: worth the one quick second try.
    pattern: /Connection lost before handshake/i,
    code: 'IR_LOST_IN_HANDSHAKE',
    classified: {
      kind: 'closed',
      permanent: false,
      reason: (where, { host }) => `${where} (host ${host.name}) closed the connection during the SSH handshake`,
    },
  },
  {
    pattern: /Header line too long|Max greeting lines|Bad identification|Protocol mismatch/i,
    classified: byLevel['protocol']!,
  },
];

/** A key ssh2 could not use, said only in words; after the levels (an authentication failure may mention the key). */
const keyProblem: Classified = {
  kind: 'client_config',
  permanent: true,
  reason: (_where, { target }, error) => `cannot use the SSH private key for ${target}: ${error.message}`,
};

function hostKeyError(context: ConnectContext, where: string, error: Error): CollectionError | null {
  const { host, verdict, presented } = context;
  if (!verdict || verdict.status === 'trusted') return null;
  const shown = presented ? fingerprint(presented) : 'unknown';
  const file = host.ssh.knownHostsFile;
  const reason =
    verdict.status === 'changed'
      ? `host key changed for ${host.name} (${where}): it presented ${shown}, which does not match ${file}; refusing to connect (possible man-in-the-middle, or the host was reinstalled)`
      : verdict.status === 'revoked'
        ? `host key of ${host.name} (${where}) is marked @revoked in ${file}`
        : `host key unknown for ${host.name} (${where}): ${shown} is not in ${file}; add it after checking the fingerprint (ssh-keyscan -p ${host.ssh.port} ${host.address})`;
  return new CollectionError('host_key', reason, true, { cause: error });
}

/** Turns ssh2/socket errors into reasons a sysadmin can act on: host key first, then code, words, level. */
export function classifyConnectError(error: ConnectError, context: ConnectContext): CollectionError {
  const where = `${context.host.address}:${context.host.ssh.port}`;
  const hostKey = hostKeyError(context, where, error);
  if (hostKey) return hostKey;
  const found = classify(error);
  if (!found)
    return new CollectionError('other', `SSH connection to ${context.target} failed: ${error.message}`, false, {
      cause: error,
    });
  return new CollectionError(found.kind, found.reason(where, context, error), found.permanent, { cause: error });
}

function classify(error: ConnectError): Classified | undefined {
  const viaCode = error.code ? byCode[error.code] : undefined;
  if (viaCode) return viaCode;
  if (error.level === 'client-timeout' || error.level === 'handshake') return byLevel[error.level];
  const byWords = byMessage.find((m) => m.pattern.test(error.message));
  if (byWords) {
    if (byWords.code) error.code = byWords.code;
    return byWords.classified;
  }
  const viaLevel = error.level ? byLevel[error.level] : undefined;
  if (viaLevel) return viaLevel;
  return /privateKey|passphrase|Cannot parse privateKey/i.test(error.message) ? keyProblem : undefined;
}
