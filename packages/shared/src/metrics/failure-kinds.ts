/**
 * Why a job failed, as a bounded label value: metrics count failures under a kind, never under
 * a host, an address or a message.
 */
export const collectFailureKinds = [
  /** The host name does not resolve. */
  'dns',
  /** Nothing listens on the SSH port (connection refused). */
  'refused',
  /** No route to the host, or a jump host cannot reach it. */
  'unreachable',
  /** No TCP connection, no SSH banner or no handshake within the connect timeout. */
  'timeout',
  /** The host closed or reset the connection (MaxStartups, tcp wrappers, a crash). */
  'closed',
  /** Not an SSH server, or no algorithm in common. */
  'protocol',
  /** The host key is unknown, changed or revoked. */
  'host_key',
  /** The server refused our key. */
  'auth',
  /** Our side: no readable private key or known_hosts file. */
  'client_config',
  /** Logged in, but the commands did not run or their output was unusable. */
  'command',
  /** Logged in, but the commands did not finish (or start printing) in time. */
  'command_timeout',
  /** An SSH failure none of the above describes (the reason says what it was). */
  'other',
] as const;
export type CollectFailureKind = (typeof collectFailureKinds)[number];

export const deliverFailureKinds = [
  /** The SMTP server could not be reached, or the connection broke. */
  'smtp_connection',
  /** The SMTP server refused our credentials. */
  'smtp_auth',
  /** The SMTP server refused the sender, the recipients or the message. */
  'smtp_rejected',
  /** The report files expired from the artifact store before they could be sent. */
  'artifact_missing',
  /** A Mattermost or Slack webhook did not take the message. */
  'webhook',
  /** The SFTP archive could not be written or did not read back the same. */
  'archive',
  /** Alertmanager did not take the alerts. */
  'alertmanager',
] as const;
export type DeliverFailureKind = (typeof deliverFailureKinds)[number];

const knownKinds = new Set<string>([...collectFailureKinds, ...deliverFailureKinds, 'internal', 'other']);

/** Set by a job processor on the error it throws, so the failure is counted under its kind. */
export interface ClassifiedError extends Error {
  failureKind?: string;
}

/** Marks an error with its kind (returns it, for `throw withFailureKind(...)`). */
export function withFailureKind<E extends Error>(error: E, kind: CollectFailureKind | DeliverFailureKind): E {
  (error as ClassifiedError).failureKind = kind;
  return error;
}

/** The label value for a thrown value: its marked kind when known, else "other". */
export function failureKindOf(error: unknown): string {
  const kind = (error as ClassifiedError | undefined)?.failureKind;
  return kind !== undefined && knownKinds.has(kind) ? kind : 'other';
}
