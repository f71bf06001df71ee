import pLimit from 'p-limit';
import type { ResolvedHost, SshTimingObserver } from '@infra-report/shared';
import { createLocalRunner } from './command-runner.js';
import type { OpenedRunner } from './collect-host.js';
import { openSshSession } from './ssh/ssh-session.js';

export interface RunnerFactoryOptions {
  /**
   * At most this many SSH sessions handshake or run commands at once. Connections still waiting
   * for a host's banner do not count: a dead host waits on its socket, not in a slot.
   */
  sessions?: number;
  /** Pause before the quick second try after a refused connection (default 1 s). */
  retryDelayMs?: number;
  /** Connect and handshake times of every SSH connection, for the metrics. */
  timings?: SshTimingObserver;
}

/** SSH for remote hosts; this machine's own shell for a host marked `local`. */
export function createRunnerFactory(
  home: string,
  options: RunnerFactoryOptions = {},
): (host: ResolvedHost) => Promise<OpenedRunner> {
  const acquireSlot = options.sessions ? slots(options.sessions) : undefined;
  return async (host) => {
    if (host.local) return { runner: createLocalRunner(), latencyMs: null };
    const session = await openSshSession(host, home, {
      acquireSlot,
      retryDelayMs: options.retryDelayMs,
      timings: options.timings,
    });
    return { runner: session, latencyMs: session.latencyMs };
  };
}

/** A counting semaphore: acquire() resolves with the release once a slot is free. */
function slots(count: number): () => Promise<() => void> {
  const limit = pLimit(count);
  return () =>
    new Promise((acquired) => {
      void limit(() => new Promise<void>((release) => acquired(release)));
    });
}
