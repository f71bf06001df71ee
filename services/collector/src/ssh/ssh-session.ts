import { createConnection, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import pLimit, { type LimitFunction } from 'p-limit';
import {
  Client,
  type AgentAuthMethod,
  type AuthMethod,
  type ClientChannel,
  type ConnectConfig,
  type ParsedKey,
  type PublicKeyAuthMethod,
} from 'ssh2';
import ssh2 from 'ssh2';
import { createFileCache } from './file-cache.js';
import type { CollectFailureKind, ResolvedHost, SshTimingObserver } from '@infra-report/shared';
import { BoundedBuffer, CollectionError, type CommandResult, type CommandRunner } from '../command-runner.js';
import {
  fingerprint,
  hostKeyAlgorithmsFor,
  knownHostsNames,
  knownKeyTypes,
  parseKnownHosts,
  verifyHostKey,
  type HostKeyVerdict,
} from '@infra-report/shared';

export interface SshSession extends CommandRunner {
  /** Milliseconds from the TCP connect to an authenticated session. */
  latencyMs: number;
  /** Opens a TCP stream from the host to another address (what ProxyJump does). */
  forward(address: string, port: number): Promise<Duplex>;
}

/** One limiter per jump host: a real bastion's sshd drops handshakes beyond MaxStartups (10). */
const jumpLimiters = new Map<string, LimitFunction>();

function jumpLimiter(key: string, parallelism: number): LimitFunction {
  let limiter = jumpLimiters.get(key);
  if (!limiter) {
    limiter = pLimit(parallelism);
    jumpLimiters.set(key, limiter);
  }
  return limiter;
}

const defaultKeyFiles = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export interface OpenSessionOptions {
  /**
   * Waits for a session slot once the host has answered with its SSH banner, and returns the
   * release. Hosts that never answer wait on their socket, not in a slot, so any number of dead
   * hosts cannot hold the healthy ones back.
   */
  acquireSlot?: () => Promise<() => void>;
  /** Pause before the one quick second try after a refused or dropped connection. */
  retryDelayMs?: number;
  /** Told the connect and handshake time of each connection (Prometheus histograms). */
  timings?: SshTimingObserver | undefined;
}

const transientConnectCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'IR_CLOSED_BEFORE_BANNER',
  'IR_LOST_IN_HANDSHAKE',
]);

/**
 * Opens one authenticated SSH connection to a host. The host key must be in known_hosts
 * (StrictHostKeyChecking=yes semantics): an unknown or changed key is refused and reported.
 * Connect, banner and handshake together take at most ssh.connect_timeout_seconds; a refused
 * or dropped connection gets one quick second try within that deadline.
 */
export async function openSshSession(
  host: ResolvedHost,
  home: string,
  options: OpenSessionOptions = {},
): Promise<SshSession> {
  const { jump } = host.ssh;
  if (!jump) return connectDirect(host, home, options);
  // The jump host is checked like any host: its own known_hosts entry, the same key.
  const jumpHost: ResolvedHost = {
    ...host,
    name: jump.address,
    address: jump.address,
    ssh: { ...host.ssh, user: jump.user, port: jump.port, jump: undefined },
  };
  return jumpLimiter(
    `${jump.user}@${jump.address}:${jump.port}`,
    jump.parallelism,
  )(async () => {
    let bastion: SshSession;
    try {
      bastion = await connectDirect(jumpHost, home, {});
    } catch (error) {
      if (error instanceof CollectionError)
        throw new CollectionError(
          error.kind,
          `jump host ${jump.address}:${jump.port} for ${host.name}: ${error.reason}`,
          error.permanent,
          {
            cause: error,
          },
        );
      throw error;
    }
    try {
      const stream = await bastion.forward(host.address, host.ssh.port).catch((error: Error) => {
        throw new CollectionError(
          'unreachable',
          `jump host ${jump.address} cannot reach ${host.address}:${host.ssh.port} (host ${host.name}): ${error.message}`,
          false,
          { cause: error },
        );
      });
      const session = await connectSession(host, home, {
        through: stream,
        deadline: performance.now() + host.ssh.connectTimeoutMs,
        timings: options.timings,
      });
      return {
        ...session,
        latencyMs: session.latencyMs + bastion.latencyMs,
        close: async () => {
          await session.close();
          await bastion.close();
        },
      };
    } catch (error) {
      await bastion.close();
      throw error;
    }
  });
}

async function connectDirect(host: ResolvedHost, home: string, options: OpenSessionOptions): Promise<SshSession> {
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

interface ConnectOptions {
  /** An already open stream to the host's sshd (through a jump host). */
  through?: Duplex | undefined;
  /** performance.now() by which the session must be authenticated (slot waiting excluded). */
  deadline: number;
  acquireSlot?: (() => Promise<() => void>) | undefined;
  timings?: SshTimingObserver | undefined;
}

async function connectSession(host: ResolvedHost, home: string, options: ConnectOptions): Promise<SshSession> {
  const { ssh } = host;
  const target = `${ssh.user}@${host.name} (${host.address}:${ssh.port})`;

  let knownHosts: ReturnType<typeof parseKnownHosts>;
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
  const names = knownHostsNames([host.address, host.name], ssh.port);
  const keyTypes = knownKeyTypes(knownHosts, names);
  const privateKey = await loadPrivateKey(ssh.privateKeyFile, home, ssh.passphrase, target);
  if (!privateKey && !ssh.agentSocket) {
    throw new CollectionError(
      'client_config',
      `no SSH key for ${target}: set ssh.private_key_file or start an ssh-agent (SSH_AUTH_SOCK)`,
      true,
    );
  }

  let verdict: HostKeyVerdict | undefined;
  let presented: Buffer | undefined;
  const context = (): ConnectContext => ({ host, target, verdict, presented });
  let deadline = options.deadline;
  const remaining = () => Math.max(1, Math.round(deadline - performance.now()));
  const started = performance.now();

  let sock: Duplex;
  if (options.through) {
    sock = options.through;
  } else {
    const socket = await connectTcp(host.address, ssh.port, remaining()).catch((error: Error & { code?: string }) => {
      throw classifyConnectError(error, context());
    });
    // A port that accepts and never speaks (hung sshd, tarpit) is found out here, before it takes a slot.
    await waitForServerBytes(socket, remaining()).catch((error: Error & { code?: string }) => {
      socket.destroy();
      throw classifyConnectError(error, context());
    });
    coalesceWrites(socket);
    options.timings?.connected((performance.now() - started) / 1000);
    sock = socket;
  }
  let release: () => void = () => undefined;
  const beforeSlot = performance.now() - started;
  if (options.acquireSlot) {
    const waitStarted = performance.now();
    release = await options.acquireSlot();
    deadline += performance.now() - waitStarted; // time in the queue is not the host's
  }
  const handshakeStarted = performance.now();

  const config: ConnectConfig = {
    sock,
    username: ssh.user,
    readyTimeout: remaining(),
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
      presented = key;
      verdict = verifyHostKey(knownHosts, names, key);
      return verdict.status === 'trusted';
    },
    authHandler: authMethods(ssh.user, privateKey, ssh.agentSocket),
  };

  const client = new Client();
  // ssh2 may emit several errors for one failure (a protocol error, then "Connection lost
  // before handshake"): one permanent listener, so none of them is ever unhandled.
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
  try {
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
  } catch (error) {
    client.end();
    sock.destroy();
    release();
    throw error;
  }
  options.timings?.handshaken((performance.now() - handshakeStarted) / 1000);
  const latencyMs = Math.round(beforeSlot + performance.now() - handshakeStarted);

  return {
    latencyMs,
    forward(address, port) {
      return new Promise((resolve, reject) => {
        client.forwardOut('127.0.0.1', 0, address, port, (error, stream) => (error ? reject(error) : resolve(stream)));
      });
    },
    run(script, { timeoutMs, maxBytes, firstOutputTimeoutMs }) {
      return runScript(client, script, {
        target,
        timeoutMs,
        maxBytes,
        // The channel must open, and the script print its first line, within the connect timeout.
        firstOutputTimeoutMs: firstOutputTimeoutMs ?? ssh.connectTimeoutMs,
        lost: () => connectionLost,
        onLost: (listener) => {
          lostListeners.add(listener);
          return () => lostListeners.delete(listener);
        },
      });
    },
    async close() {
      await new Promise<void>((resolve) => {
        if (connectionLost) return resolve();
        client.once('close', () => resolve());
        client.end();
        setTimeout(() => {
          sock.destroy();
          resolve();
        }, 2000).unref();
      });
      release(); // resolving the slot's promise again is a no-op: a second close() is harmless
    },
  };
}

interface RunContext {
  target: string;
  timeoutMs: number;
  maxBytes: number;
  firstOutputTimeoutMs: number;
  lost: () => Error | null;
  onLost: (listener: (error: Error) => void) => () => void;
}

/**
 * One exec of `/bin/sh -s` with the script on stdin. Settles exactly once: with the output when
 * the channel closes after the exit status, or when the output passes maxBytes (cut, marked);
 * with a CollectionError on a timeout, a silent host or a connection lost mid-way.
 */
function runScript(client: Client, script: string, context: RunContext): Promise<CommandResult> {
  const { target } = context;
  return new Promise((resolve, reject) => {
    const stdout = new BoundedBuffer(context.maxBytes);
    const stderr = new BoundedBuffer(64 * 1024);
    let exitCode: number | null = null;
    let exited = false;
    let settled = false;
    let channel: ClientChannel | undefined;
    const timers: NodeJS.Timeout[] = [];
    const finish = (outcome: { error: CollectionError } | { result: CommandResult }) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      stopListening();
      if ('error' in outcome) {
        channel?.close();
        reject(outcome.error);
      } else resolve(outcome.result);
    };
    const fail = (reason: string, cause?: unknown, kind: CollectFailureKind = 'command') =>
      finish({ error: new CollectionError(kind, reason, false, { cause }) });
    const failLost = (error: Error) =>
      fail(
        `connection to ${target} lost while the commands ran (after ${stdout.size} bytes of output): ${error.message}`,
        error,
        'closed',
      );
    const succeed = (exitCode: number | null) =>
      finish({
        result: {
          stdout: stdout.toBuffer(),
          stderr: stderr.toBuffer().toString('utf8'),
          exitCode,
          truncated: stdout.truncated,
        },
      });
    const stopListening = context.onLost(failLost);
    const lostAlready = context.lost();
    if (lostAlready)
      return fail(
        `connection to ${target} was lost before the commands ran: ${lostAlready.message}`,
        undefined,
        'closed',
      );

    timers.push(
      setTimeout(
        () =>
          fail(
            `commands on ${target} did not finish within ${Math.round(context.timeoutMs / 1000)} s`,
            undefined,
            'command_timeout',
          ),
        context.timeoutMs,
      ),
    );
    const silence = setTimeout(
      () =>
        fail(
          channel
            ? `${target} accepted the commands but printed nothing within ${Math.round(context.firstOutputTimeoutMs / 1000)} s`
            : `${target} did not open a command channel within ${Math.round(context.firstOutputTimeoutMs / 1000)} s`,
          undefined,
          'command_timeout',
        ),
      context.firstOutputTimeoutMs,
    );
    timers.push(silence);

    // The script goes over stdin to /bin/sh: independent of the user's login shell and of ARG_MAX.
    // exec: the login shell becomes /bin/sh instead of forking it (one process fewer per host).
    client.exec('exec /bin/sh -s', (error, opened) => {
      if (error) return fail(`cannot run commands on ${target}: ${error.message}`, error);
      channel = opened;
      if (settled) {
        opened.close();
        return;
      }
      opened.on('data', (chunk: Buffer) => {
        clearTimeout(silence);
        stdout.push(chunk);
        if (stdout.truncated) {
          // Output that never ends: keep what fits, stop the commands, let the parser mark the cut.
          succeed(null);
          opened.close();
        }
      });
      opened.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      opened.on('exit', (code: number | null) => {
        exited = true;
        exitCode = code;
      });
      opened.on('error', () => undefined);
      opened.on('close', () => {
        const lost = context.lost();
        if (!exited && lost) failLost(lost);
        else succeed(exitCode);
      });
      opened.end(script);
    });
  });
}

/**
 * Waits for the server's first bytes (its SSH banner) and puts them back for ssh2, which
 * starts by pausing the socket and resumes it when it reads.
 */
function waitForServerBytes(socket: Socket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      cleanup();
      socket.pause();
      socket.unshift(chunk);
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(Object.assign(new Error('closed before the SSH banner'), { code: 'IR_CLOSED_BEFORE_BANNER' }));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(Object.assign(new Error(`no SSH banner within ${timeoutMs} ms`), { code: 'IR_NO_BANNER' }));
    }, timeoutMs);
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}

/**
 * ssh2 writes every SSH packet with its own socket write; with TCP_NODELAY each is a segment
 * that the kernel delivers at once. Packets written in the same tick (ident and KEXINIT, the
 * script and its EOF, ...) go out together instead.
 */
function coalesceWrites(socket: Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  const uncork = () => socket.uncork();
  socket.write = ((...args: unknown[]) => {
    if (socket.writableCorked === 0) {
      socket.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  }) as typeof socket.write;
}

/** TCP_NODELAY: a fresh connection otherwise waits ~80 ms in Nagle/delayed-ACK stalls. */
function connectTcp(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: address, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`connect timeout after ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The key parsed once per file (not once per host); then the agent, as OpenSSH tries them. */
function authMethods(username: string, key: ParsedKey | undefined, agent: string | undefined): AuthMethod[] {
  const methods: AuthMethod[] = [];
  if (key) {
    const publicKey: PublicKeyAuthMethod = { type: 'publickey', username, key };
    methods.push(publicKey);
  }
  if (agent) {
    const fromAgent: AgentAuthMethod = { type: 'agent', username, agent };
    methods.push(fromAgent);
  }
  return methods;
}

const readKnownHosts = createFileCache((content) => parseKnownHosts(content.toString('utf8')));
const readPrivateKeys = createFileCache((content) => content);
/** Parsed keys by file content (the cache above returns the same Buffer while the file is unchanged). */
const parsedKeys = new WeakMap<Buffer, ParsedKey>();

async function loadPrivateKey(
  configured: string | undefined,
  home: string,
  passphrase: string | undefined,
  target: string,
): Promise<ParsedKey | undefined> {
  let file: string | undefined;
  let content: Buffer | undefined;
  if (configured) {
    try {
      content = await readPrivateKeys(configured);
      file = configured;
    } catch (error) {
      throw new CollectionError(
        'client_config',
        `cannot read SSH private key ${configured}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        true,
        { cause: error },
      );
    }
  } else {
    for (const name of defaultKeyFiles) {
      try {
        file = `${home}/.ssh/${name}`;
        content = await readPrivateKeys(file);
        break;
      } catch {
        file = undefined; // try the next default key
      }
    }
  }
  if (!file || !content) return undefined;
  const cached = parsedKeys.get(content);
  if (cached) return cached;
  const parsed = ssh2.utils.parseKey(content, passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error || !key.isPrivateKey()) {
    throw new CollectionError(
      'client_config',
      `cannot use the SSH private key ${file} for ${target}: ${key instanceof Error ? key.message : 'not a private key'}`,
      true,
    );
  }
  parsedKeys.set(content, key);
  return key;
}

interface ConnectContext {
  host: ResolvedHost;
  target: string;
  verdict: HostKeyVerdict | undefined;
  presented: Buffer | undefined;
}

/** Turns ssh2/socket errors into reasons a sysadmin can act on. */
export function classifyConnectError(
  error: Error & { level?: string; code?: string },
  context: ConnectContext,
): CollectionError {
  const { host, target, verdict, presented } = context;
  const where = `${host.address}:${host.ssh.port}`;
  if (verdict && verdict.status !== 'trusted') {
    const shown = presented ? fingerprint(presented) : 'unknown';
    if (verdict.status === 'changed') {
      return new CollectionError(
        'host_key',
        `host key changed for ${host.name} (${where}): it presented ${shown}, which does not match ${host.ssh.knownHostsFile}; refusing to connect (possible man-in-the-middle, or the host was reinstalled)`,
        true,
        { cause: error },
      );
    }
    if (verdict.status === 'revoked') {
      return new CollectionError(
        'host_key',
        `host key of ${host.name} (${where}) is marked @revoked in ${host.ssh.knownHostsFile}`,
        true,
        { cause: error },
      );
    }
    return new CollectionError(
      'host_key',
      `host key unknown for ${host.name} (${where}): ${shown} is not in ${host.ssh.knownHostsFile}; add it after checking the fingerprint (ssh-keyscan -p ${host.ssh.port} ${host.address})`,
      true,
      { cause: error },
    );
  }
  switch (error.code) {
    case 'IR_NO_BANNER':
      return new CollectionError(
        'timeout',
        `timeout: ${where} (host ${host.name}) accepted the connection but sent no SSH banner within ${Math.round(host.ssh.connectTimeoutMs / 1000)} s (hung sshd, tarpit or a firewall holding the connection)`,
        false,
        { cause: error },
      );
    case 'IR_CLOSED_BEFORE_BANNER':
      return new CollectionError(
        'closed',
        `${where} (host ${host.name}) closed the connection before the SSH handshake (sshd MaxStartups or tcp wrappers refusing us, or not an SSH server)`,
        false,
        { cause: error },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CollectionError(
        'dns',
        `DNS lookup failed for ${host.address} (host ${host.name})`,
        error.code === 'ENOTFOUND',
        { cause: error },
      );
    case 'ECONNREFUSED':
      return new CollectionError(
        'refused',
        `connection refused by ${where} (host ${host.name}): is sshd running on port ${host.ssh.port}?`,
        false,
        { cause: error },
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new CollectionError('unreachable', `no route to ${where} (host ${host.name})`, false, { cause: error });
    case 'ECONNRESET':
      return new CollectionError(
        'closed',
        `connection reset by ${where} (host ${host.name}) during the SSH handshake`,
        false,
        {
          cause: error,
        },
      );
    case 'ETIMEDOUT':
      return new CollectionError('timeout', `timeout connecting to ${where} (host ${host.name})`, false, {
        cause: error,
      });
    default:
      break; // not a socket error: told apart by ssh2's level below
  }
  if (error.level === 'client-timeout' || /Timed out while waiting for handshake/i.test(error.message)) {
    return new CollectionError(
      'timeout',
      `timeout: no SSH handshake with ${where} (host ${host.name}) within ${Math.round(host.ssh.connectTimeoutMs / 1000)} s`,
      false,
      { cause: error },
    );
  }
  if (error.level === 'handshake') {
    // No algorithm in common (or a key exchange that failed): retrying cannot help.
    return new CollectionError(
      'protocol',
      `SSH handshake with ${where} (host ${host.name}) failed: ${error.message}`,
      true,
      {
        cause: error,
      },
    );
  }
  if (/Connection lost before handshake/i.test(error.message)) {
    error.code = 'IR_LOST_IN_HANDSHAKE';
    return new CollectionError(
      'closed',
      `${where} (host ${host.name}) closed the connection during the SSH handshake`,
      false,
      {
        cause: error,
      },
    );
  }
  if (
    error.level === 'protocol' ||
    /Header line too long|Max greeting lines|Bad identification|Protocol mismatch/i.test(error.message)
  ) {
    return new CollectionError(
      'protocol',
      `${where} (host ${host.name}) does not speak SSH correctly: ${error.message}`,
      false,
      {
        cause: error,
      },
    );
  }
  if (error.level === 'client-authentication') {
    return new CollectionError(
      'auth',
      `authentication failed for ${target}: the server refused the key (check authorized_keys of ${host.ssh.user})`,
      true,
      { cause: error },
    );
  }
  if (/privateKey|passphrase|Cannot parse privateKey/i.test(error.message)) {
    return new CollectionError(
      'client_config',
      `cannot use the SSH private key for ${target}: ${error.message}`,
      true,
      {
        cause: error,
      },
    );
  }
  return new CollectionError('other', `SSH connection to ${target} failed: ${error.message}`, false, { cause: error });
}
