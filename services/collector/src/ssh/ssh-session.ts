import type { ResolvedHost } from '@infra-report/shared';
import { connectDirect } from './connect.js';
import { openThroughJump } from './jump.js';
import type { OpenSessionOptions, SshSession } from './session-types.js';

export { classifyConnectError } from './connect-errors.js';

export type { OpenSessionOptions, SshSession } from './session-types.js';

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
  return jump ? openThroughJump(host, jump, home, options) : connectDirect(host, home, options);
}
