import pLimit, { type LimitFunction } from 'p-limit';
import type { ResolvedHost } from '@infra-report/shared';
import { CollectionError } from '../command-runner.js';
import { connectDirect, connectSession } from './connect.js';
import type { OpenSessionOptions, SshSession } from './session-types.js';

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

/**
 * A session through the host's jump host (ProxyJump): the bastion is connected and checked like
 * any host, then a forwarded stream carries the session to the host; closing it closes both.
 */
export async function openThroughJump(
  host: ResolvedHost,
  jump: NonNullable<ResolvedHost['ssh']['jump']>,
  home: string,
  options: OpenSessionOptions,
): Promise<SshSession> {
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
