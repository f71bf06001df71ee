import type { ResolvedHost } from '@infra-report/shared';
import type { CommandRunner } from '../command-runner.js';

export interface PooledSession {
  runner: CommandRunner;
  openedAt: number;
  lastUsed: number;
  /** Sampling rounds run over this connection. */
  rounds: number;
}

export interface SessionPoolOptions {
  /** Opens one authenticated connection (host keys checked as for every collection). */
  open(host: ResolvedHost): Promise<CommandRunner>;
  maxConnections: number;
  idleTimeoutMs: number;
  now?: () => number;
}

/**
 * SSH connections kept open between sampling rounds: one per host, at most maxConnections (the
 * least recently used is closed to make room), closed after idleTimeoutMs unused. A connection
 * that fails is dropped; the next round opens a new one.
 */
export class SessionPool {
  private readonly sessions = new Map<string, PooledSession>();
  private readonly opening = new Map<string, Promise<PooledSession>>();
  private readonly now: () => number;
  opened = 0;

  constructor(private readonly options: SessionPoolOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The host's open connection, or a new one. */
  async acquire(host: ResolvedHost): Promise<PooledSession> {
    const existing = this.sessions.get(host.name);
    if (existing) {
      existing.lastUsed = this.now();
      return existing;
    }
    let pending = this.opening.get(host.name);
    if (!pending) {
      pending = (async () => {
        await this.makeRoom();
        const runner = await this.options.open(host);
        this.opened += 1;
        const session = { runner, openedAt: this.now(), lastUsed: this.now(), rounds: 0 };
        this.sessions.set(host.name, session);
        return session;
      })().finally(() => this.opening.delete(host.name));
      this.opening.set(host.name, pending);
    }
    return pending;
  }

  /** Closes and forgets the host's connection (it failed, or the host left the worker). */
  async drop(hostName: string): Promise<void> {
    const session = this.sessions.get(hostName);
    if (!session) return;
    this.sessions.delete(hostName);
    await session.runner.close().catch(() => undefined);
  }

  /** Closes connections unused for longer than the idle timeout. */
  async reapIdle(): Promise<number> {
    const cutoff = this.now() - this.options.idleTimeoutMs;
    const idle = [...this.sessions.entries()].filter(([, s]) => s.lastUsed < cutoff).map(([name]) => name);
    await Promise.all(idle.map((name) => this.drop(name)));
    return idle.length;
  }

  /** Closes the connections of hosts no longer sampled here. */
  async retain(hostNames: Set<string>): Promise<void> {
    await Promise.all([...this.sessions.keys()].filter((n) => !hostNames.has(n)).map((n) => this.drop(n)));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((name) => this.drop(name)));
  }

  private async makeRoom(): Promise<void> {
    while (this.sessions.size + this.opening.size >= this.options.maxConnections && this.sessions.size > 0) {
      let oldest: [string, PooledSession] | undefined;
      for (const entry of this.sessions) if (!oldest || entry[1].lastUsed < oldest[1].lastUsed) oldest = entry;
      if (!oldest) return;
      await this.drop(oldest[0]);
    }
  }
}
