import type { Duplex } from 'node:stream';
import type { SshTimingObserver } from '@infra-report/shared';
import type { CommandRunner } from '../command-runner.js';

export interface SshSession extends CommandRunner {
  /** Milliseconds from the TCP connect to an authenticated session. */
  latencyMs: number;
  /** Opens a TCP stream from the host to another address (what ProxyJump does). */
  forward(address: string, port: number): Promise<Duplex>;
}

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
