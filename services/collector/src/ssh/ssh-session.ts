import { readFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import pLimit, { type LimitFunction } from 'p-limit';
import { Client, type ConnectConfig } from 'ssh2';
import type { ResolvedHost } from '@infra-report/shared';
import { BoundedBuffer, CollectionError, type CommandRunner } from '../command-runner.js';
import {
  fingerprint,
  hostKeyAlgorithmsFor,
  knownHostsNames,
  knownKeyTypes,
  parseKnownHosts,
  verifyHostKey,
  type HostKeyVerdict,
} from './known-hosts.js';

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

/**
 * Opens one authenticated SSH connection to a host. The host key must be in known_hosts
 * (StrictHostKeyChecking=yes semantics): an unknown or changed key is refused and reported.
 */
export async function openSshSession(host: ResolvedHost, home: string): Promise<SshSession> {
  const { jump } = host.ssh;
  if (!jump) return connectSession(host, home, undefined);
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
      bastion = await connectSession(jumpHost, home, undefined);
    } catch (error) {
      if (error instanceof CollectionError)
        throw new CollectionError(
          `jump host ${jump.address}:${jump.port} for ${host.name}: ${error.reason}`,
          error.permanent,
          { cause: error },
        );
      throw error;
    }
    try {
      const stream = await bastion.forward(host.address, host.ssh.port).catch((error: Error) => {
        throw new CollectionError(
          `jump host ${jump.address} cannot reach ${host.address}:${host.ssh.port} (host ${host.name}): ${error.message}`,
          false,
          { cause: error },
        );
      });
      const session = await connectSession(host, home, stream);
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

async function connectSession(host: ResolvedHost, home: string, through: Duplex | undefined): Promise<SshSession> {
  const { ssh } = host;
  const target = `${ssh.user}@${host.name} (${host.address}:${ssh.port})`;

  let knownHostsText: string;
  try {
    knownHostsText = await readFile(ssh.knownHostsFile, 'utf8');
  } catch (error) {
    throw new CollectionError(
      `cannot read known_hosts file ${ssh.knownHostsFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      true,
      { cause: error },
    );
  }
  const knownHosts = parseKnownHosts(knownHostsText);
  const names = knownHostsNames([host.address, host.name], ssh.port);
  const keyTypes = knownKeyTypes(knownHosts, names);
  const privateKey = await loadPrivateKey(ssh.privateKeyFile, home);
  if (!privateKey && !ssh.agentSocket) {
    throw new CollectionError(
      `no SSH key for ${target}: set ssh.private_key_file or start an ssh-agent (SSH_AUTH_SOCK)`,
      true,
    );
  }

  let verdict: HostKeyVerdict | undefined;
  let presented: Buffer | undefined;
  const config: ConnectConfig = {
    host: host.address,
    port: ssh.port,
    username: ssh.user,
    readyTimeout: ssh.connectTimeoutMs,
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
    ...(privateKey ? { privateKey } : {}),
    ...(ssh.passphrase ? { passphrase: ssh.passphrase } : {}),
    ...(ssh.agentSocket ? { agent: ssh.agentSocket } : {}),
  };

  const client = new Client();
  const started = performance.now();
  const sock =
    through ??
    (await connectTcp(host.address, ssh.port, ssh.connectTimeoutMs).catch((error: Error & { code?: string }) => {
      throw classifyConnectError(error, { host, target, verdict, presented });
    }));
  config.sock = sock;
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', (error: Error & { level?: string; code?: string }) => {
      reject(classifyConnectError(error, { host, target, verdict, presented }));
    });
    try {
      client.connect(config);
    } catch (error) {
      reject(new CollectionError(`cannot connect to ${target}: ${(error as Error).message}`, true, { cause: error }));
    }
  }).catch((error: unknown) => {
    client.end();
    sock.destroy();
    throw error;
  });
  const latencyMs = Math.round(performance.now() - started);
  client.on('error', () => undefined); // errors after ready surface through exec callbacks

  return {
    latencyMs,
    forward(address, port) {
      return new Promise((resolve, reject) => {
        client.forwardOut('127.0.0.1', 0, address, port, (error, stream) => (error ? reject(error) : resolve(stream)));
      });
    },
    run(script, { timeoutMs, maxBytes }) {
      return new Promise((resolve, reject) => {
        // The script goes over stdin to /bin/sh: independent of the user's login shell and of ARG_MAX.
        client.exec('/bin/sh -s', (error, channel) => {
          if (error) {
            reject(new CollectionError(`cannot run commands on ${target}: ${error.message}`, false, { cause: error }));
            return;
          }
          const stdout = new BoundedBuffer(maxBytes);
          const stderr = new BoundedBuffer(64 * 1024);
          let exitCode: number | null = null;
          const timer = setTimeout(() => {
            channel.close();
            reject(
              new CollectionError(
                `commands on ${target} did not finish within ${Math.round(timeoutMs / 1000)} s`,
                false,
              ),
            );
          }, timeoutMs);
          channel.on('data', (chunk: Buffer) => stdout.push(chunk));
          channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
          channel.on('exit', (code: number | null) => {
            exitCode = code;
          });
          channel.end(script);
          channel.on('close', () => {
            clearTimeout(timer);
            resolve({
              stdout: stdout.toBuffer(),
              stderr: stderr.toBuffer().toString('utf8'),
              exitCode,
              truncated: stdout.truncated,
            });
          });
        });
      });
    },
    async close() {
      await new Promise<void>((resolve) => {
        client.once('close', () => resolve());
        client.end();
        setTimeout(resolve, 2000).unref();
      });
    },
  };
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
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function loadPrivateKey(configured: string | undefined, home: string): Promise<Buffer | undefined> {
  if (configured) {
    try {
      return await readFile(configured);
    } catch (error) {
      throw new CollectionError(
        `cannot read SSH private key ${configured}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        true,
        { cause: error },
      );
    }
  }
  for (const name of defaultKeyFiles) {
    try {
      return await readFile(`${home}/.ssh/${name}`);
    } catch {
      // try the next default key
    }
  }
  return undefined;
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
        `host key changed for ${host.name} (${where}): it presented ${shown}, which does not match ${host.ssh.knownHostsFile}; refusing to connect (possible man-in-the-middle, or the host was reinstalled)`,
        true,
        { cause: error },
      );
    }
    if (verdict.status === 'revoked') {
      return new CollectionError(
        `host key of ${host.name} (${where}) is marked @revoked in ${host.ssh.knownHostsFile}`,
        true,
        { cause: error },
      );
    }
    return new CollectionError(
      `host key unknown for ${host.name} (${where}): ${shown} is not in ${host.ssh.knownHostsFile}; add it after checking the fingerprint (ssh-keyscan -p ${host.ssh.port} ${host.address})`,
      true,
      { cause: error },
    );
  }
  switch (error.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CollectionError(
        `DNS lookup failed for ${host.address} (host ${host.name})`,
        error.code === 'ENOTFOUND',
        { cause: error },
      );
    case 'ECONNREFUSED':
      return new CollectionError(
        `connection refused by ${where} (host ${host.name}): is sshd running on port ${host.ssh.port}?`,
        false,
        { cause: error },
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new CollectionError(`no route to ${where} (host ${host.name})`, false, { cause: error });
    case 'ECONNRESET':
      return new CollectionError(`connection reset by ${where} (host ${host.name}) during the SSH handshake`, false, {
        cause: error,
      });
    case 'ETIMEDOUT':
      return new CollectionError(`timeout connecting to ${where} (host ${host.name})`, false, { cause: error });
    default:
      break; // not a socket error: told apart by ssh2's level below
  }
  if (error.level === 'client-timeout' || /Timed out while waiting for handshake/i.test(error.message)) {
    return new CollectionError(
      `timeout: no SSH handshake with ${where} (host ${host.name}) within ${Math.round(host.ssh.connectTimeoutMs / 1000)} s`,
      false,
      { cause: error },
    );
  }
  if (error.level === 'client-authentication') {
    return new CollectionError(
      `authentication failed for ${target}: the server refused the key (check authorized_keys of ${host.ssh.user})`,
      true,
      { cause: error },
    );
  }
  if (/privateKey|passphrase|Cannot parse privateKey/i.test(error.message)) {
    return new CollectionError(`cannot use the SSH private key for ${target}: ${error.message}`, true, {
      cause: error,
    });
  }
  return new CollectionError(`SSH connection to ${target} failed: ${error.message}`, false, { cause: error });
}
