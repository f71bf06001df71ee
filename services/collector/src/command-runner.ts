import { spawn } from 'node:child_process';
import type { CollectFailureKind } from '@infra-report/shared';

export interface CommandResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number | null;
  /** True when stdout reached the byte limit and the rest was dropped. */
  truncated: boolean;
}

export interface RunOptions {
  /** The whole script must finish within this. */
  timeoutMs: number;
  /** Output beyond this is dropped and the commands are stopped: marked as truncated. */
  maxBytes: number;
  /** The script's first output must arrive within this (SSH: default the connect timeout). */
  firstOutputTimeoutMs?: number;
  /**
   * What the host runs, the script going to its stdin (SSH only): `/bin/sh -s` unless given
   * (a Windows host runs powershell.exe with its encoded script).
   */
  command?: string;
}

/** Where commands run: an SSH session to a host, or this machine. */
export interface CommandRunner {
  /** A POSIX sh script; the runner never adds anything to it. */
  run(script: string, options: RunOptions): Promise<CommandResult>;
  close(): Promise<void>;
}

/**
 * Raised for failures a sysadmin must act on; `reason` is what the report shows, `kind` the
 * bounded class the metrics count it under (never a host or an address).
 */
export class CollectionError extends Error {
  constructor(
    readonly kind: CollectFailureKind,
    readonly reason: string,
    /** Retrying cannot help (authentication, host key): fail at once. */
    readonly permanent: boolean,
    options?: ErrorOptions,
  ) {
    super(reason, options);
    this.name = 'CollectionError';
  }
}

/** Collects a bounded stream into one buffer; bytes beyond the limit are counted and dropped. */
export class BoundedBuffer {
  private chunks: Buffer[] = [];
  size = 0;
  truncated = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    const room = this.maxBytes - this.size;
    if (room <= 0) {
      this.truncated ||= chunk.length > 0;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept.length < chunk.length) this.truncated = true;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

/** Runs the scripts on this machine, for `localhost` without SSH. */
export function createLocalRunner(): CommandRunner {
  return {
    run(script, { timeoutMs, maxBytes }) {
      return new Promise((resolve, reject) => {
        const child = spawn('/bin/sh', ['-c', script], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C' },
        });
        const stdout = new BoundedBuffer(maxBytes);
        const stderr = new BoundedBuffer(64 * 1024);
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(
            new CollectionError(
              'command_timeout',
              `commands did not finish within ${Math.round(timeoutMs / 1000)} s`,
              false,
            ),
          );
        }, timeoutMs);
        child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        child.on('error', (error) => {
          clearTimeout(timer);
          reject(new CollectionError('command', `cannot start /bin/sh: ${error.message}`, true, { cause: error }));
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({
            stdout: stdout.toBuffer(),
            stderr: stderr.toBuffer().toString('utf8'),
            exitCode: code,
            truncated: stdout.truncated,
          });
        });
      });
    },
    async close() {},
  };
}
