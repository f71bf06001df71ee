import type { ResolvedHost } from '@infra-report/shared';
import { createLocalRunner } from './command-runner.js';
import type { OpenedRunner } from './collect-host.js';
import { openSshSession } from './ssh/ssh-session.js';

/** SSH for remote hosts; this machine's own shell for a host marked `local`. */
export function createRunnerFactory(home: string): (host: ResolvedHost) => Promise<OpenedRunner> {
  return async (host) => {
    if (host.local) return { runner: createLocalRunner(), latencyMs: null };
    const session = await openSshSession(host, home);
    return { runner: session, latencyMs: session.latencyMs };
  };
}
