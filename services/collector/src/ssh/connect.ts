import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig, type ParsedKey } from 'ssh2';
import {
  hostKeyAlgorithmsFor,
  knownHostsNames,
  knownKeyTypes,
  verifyHostKey,
  type HostKeyVerdict,
  type ResolvedHost,
  type SshTimingObserver,
} from '@infra-report/shared';
import { CollectionError } from '../command-runner.js';
import { classifyConnectError, type ConnectContext } from './connect-errors.js';
import { authMethods, loadPrivateKey, readKnownHosts } from './credentials.js';
import { runScript } from './run-script.js';
import type { SshSession } from './session-types.js';
import { coalesceWrites, connectTcp, waitForServerBytes } from './tcp.js';

export interface ConnectOptions {
  /** An already open stream to the host's sshd (through a jump host). */
  through?: Duplex | undefined;
  /** performance.now() by which the session must be authenticated (slot waiting excluded). */
  deadline: number;
  acquireSlot?: (() => Promise<() => void>) | undefined;
  timings?: SshTimingObserver | undefined;
}

/** A refused or dropped connection gets one quick second try within the connect deadline. */
const transientConnectCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'IR_CLOSED_BEFORE_BANNER',
  'IR_LOST_IN_HANDSHAKE',
]);

/** A connection straight to the host, with its one quick second try. */
export async function connectDirect(
  host: ResolvedHost,
  home: string,
  options: {
    acquireSlot?: (() => Promise<() => void>) | undefined;
    retryDelayMs?: number;
    timings?: SshTimingObserver | undefined;
  },
): Promise<SshSession> {
  const deadline = performance.now() + host.ssh.connectTimeoutMs;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  try {
    return await connectSession(host, home, { deadline, acquireSlot: options.acquireSlot, timings: options.timings });
  } catch (error) {
    const code = ((error as CollectionError).cause as { code?: string } | undefined)?.code;
    const secondChance =
      error instanceof CollectionError &&
      !error.permanent &&
      code !== undefined &&
      transientConnectCodes.has(code) &&
      deadline - performance.now() > retryDelayMs + 1000;
    if (!secondChance) throw error;
    await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
    return connectSession(host, home, { deadline, acquireSlot: options.acquireSlot, timings: options.timings });
  }
}

/** known_hosts and the key, before anything goes over the network. */
async function credentialsFor(host: ResolvedHost, home: string, target: string) {
  const { ssh } = host;
  let knownHosts: Awaited<ReturnType<typeof readKnownHosts>>;
  try {
    knownHosts = await readKnownHosts(ssh.knownHostsFile);
  } catch (error) {
    throw new CollectionError(
      'client_config',
      `cannot read known_hosts file ${ssh.knownHostsFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      true,
      { cause: error },
    );
  }
  const privateKey = await loadPrivateKey(ssh.privateKeyFile, home, ssh.passphrase, target);
  if (!privateKey && !ssh.agentSocket) {
    throw new CollectionError(
      'client_config',
      `no SSH key for ${target}: set ssh.private_key_file or start an ssh-agent (SSH_AUTH_SOCK)`,
      true,
    );
  }
  return { knownHosts, privateKey };
}

/** The TCP connection, once the host has said its SSH banner (a port that never speaks is found out here). */
async function openSocket(host: ResolvedHost, timeoutMs: () => number, context: () => ConnectContext): Promise<Duplex> {
  const socket = await connectTcp(host.address, host.ssh.port, timeoutMs()).catch(
    (error: Error & { code?: string }) => {
      throw classifyConnectError(error, context());
    },
  );
  await waitForServerBytes(socket, timeoutMs()).catch((error: Error & { code?: string }) => {
    socket.destroy();
    throw classifyConnectError(error, context());
  });
  coalesceWrites(socket);
  return socket;
}

/** What an open client tells us after its handshake: the first error that cost us the connection. */
interface ConnectionWatch {
  lost(): Error | null;
  onLost(listener: (error: Error) => void): () => void;
}

/**
 * The SSH handshake and authentication. ssh2 may emit several errors for one failure (a protocol
 * error, then "Connection lost before handshake"): one permanent listener, so none of them is
 * ever unhandled; after the handshake they become the connection's loss.
 */
async function handshake(
  client: Client,
  config: ConnectConfig,
  context: () => ConnectContext,
): Promise<ConnectionWatch> {
  let connectionLost: Error | null = null;
  const lostListeners = new Set<(error: Error) => void>();
  const loseConnection = (error: Error) => {
    connectionLost ??= error;
    for (const listener of lostListeners) listener(error);
  };
  let settleHandshake: ((error: Error | null) => void) | null = null;
  client.on('error', (error: Error) => {
    if (settleHandshake) settleHandshake(error);
    else loseConnection(error);
  });
  client.on('close', () => loseConnection(new Error('connection closed')));
  await new Promise<void>((resolve, reject) => {
    settleHandshake = (error) => {
      settleHandshake = null;
      if (error) reject(classifyConnectError(error as Error & { level?: string; code?: string }, context()));
      else resolve();
    };
    client.once('ready', () => settleHandshake?.(null));
    client.once('close', () =>
      settleHandshake?.(Object.assign(new Error('Connection lost before handshake'), { level: 'protocol' })),
    );
    try {
      client.connect(config);
    } catch (error) {
      settleHandshake(error as Error);
    }
  });
  return {
    lost: () => connectionLost,
    onLost(listener) {
      lostListeners.add(listener);
      return () => lostListeners.delete(listener);
    },
  };
}

function clientConfig(
  host: ResolvedHost,
  sock: Duplex,
  timeoutMs: number,
  credentials: Awaited<ReturnType<typeof credentialsFor>>,
  names: string[],
  seen: (key: Buffer, verdict: HostKeyVerdict) => void,
): ConnectConfig {
  const { ssh } = host;
  const keyTypes = knownKeyTypes(credentials.knownHosts, names);
  return {
    sock,
    username: ssh.user,
    readyTimeout: timeoutMs,
    keepaliveInterval: 15_000,
    keepaliveCountMax: 3,
    // Ask for a key type we have on record, so a host with several keys is checked against the right one.
    ...(keyTypes.length > 0
      ? {
          algorithms: {
            serverHostKey: hostKeyAlgorithmsFor(keyTypes) as NonNullable<ConnectConfig['algorithms']>['serverHostKey'],
          },
        }
      : {}),
    hostVerifier: (key: Buffer) => {
      const verdict = verifyHostKey(credentials.knownHosts, names, key);
      seen(key, verdict);
      return verdict.status === 'trusted';
    },
    authHandler: authMethods(ssh.user, credentials.privateKey as ParsedKey | undefined, ssh.agentSocket),
  };
}

/**
 * One authenticated session: known_hosts checked (StrictHostKeyChecking=yes), connect, banner
 * and handshake within the deadline; the session slot is taken once the host has answered.
 */
export async function connectSession(host: ResolvedHost, home: string, options: ConnectOptions): Promise<SshSession> {
  const { ssh } = host;
  const target = `${ssh.user}@${host.name} (${host.address}:${ssh.port})`;
  const credentials = await credentialsFor(host, home, target);
  const names = knownHostsNames([host.address, host.name], ssh.port);

  let verdict: HostKeyVerdict | undefined;
  let presented: Buffer | undefined;
  const context = (): ConnectContext => ({ host, target, verdict, presented });
  let deadline = options.deadline;
  const remaining = () => Math.max(1, Math.round(deadline - performance.now()));
  const started = performance.now();

  const sock = options.through ?? (await openSocket(host, remaining, context));
  if (!options.through) options.timings?.connected((performance.now() - started) / 1000);
  let release: () => void = () => undefined;
  const beforeSlot = performance.now() - started;
  if (options.acquireSlot) {
    const waitStarted = performance.now();
    release = await options.acquireSlot();
    deadline += performance.now() - waitStarted; // time in the queue is not the host's
  }
  const handshakeStarted = performance.now();
  const config = clientConfig(host, sock, remaining(), credentials, names, (key, seenVerdict) => {
    presented = key;
    verdict = seenVerdict;
  });
  const client = new Client();
  let watch: ConnectionWatch;
  try {
    watch = await handshake(client, config, context);
  } catch (error) {
    client.end();
    sock.destroy();
    release();
    throw error;
  }
  options.timings?.handshaken((performance.now() - handshakeStarted) / 1000);
  return sessionOf(client, sock, watch, {
    target,
    latencyMs: Math.round(beforeSlot + performance.now() - handshakeStarted),
    firstOutputTimeoutMs: ssh.connectTimeoutMs,
    release,
  });
}

function sessionOf(
  client: Client,
  sock: Duplex,
  watch: ConnectionWatch,
  details: { target: string; latencyMs: number; firstOutputTimeoutMs: number; release: () => void },
): SshSession {
  return {
    latencyMs: details.latencyMs,
    forward(address, port) {
      return new Promise((resolve, reject) => {
        client.forwardOut('127.0.0.1', 0, address, port, (error, stream) => (error ? reject(error) : resolve(stream)));
      });
    },
    run(script, { timeoutMs, maxBytes, firstOutputTimeoutMs, command }) {
      return runScript(client, script, {
        command,
        target: details.target,
        timeoutMs,
        maxBytes,
        // The channel must open, and the script print its first line, within the connect timeout.
        firstOutputTimeoutMs: firstOutputTimeoutMs ?? details.firstOutputTimeoutMs,
        lost: watch.lost,
        onLost: watch.onLost,
      });
    },
    async close() {
      await new Promise<void>((resolve) => {
        if (watch.lost()) return resolve();
        client.once('close', () => resolve());
        client.end();
        setTimeout(() => {
          sock.destroy();
          resolve();
        }, 2000).unref();
      });
      details.release(); // resolving the slot's promise again is a no-op: a second close() is harmless
    },
  };
}
