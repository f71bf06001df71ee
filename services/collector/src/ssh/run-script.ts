import type { Client, ClientChannel } from 'ssh2';
import type { CollectFailureKind } from '@infra-report/shared';
import { BoundedBuffer, CollectionError, type CommandResult } from '../command-runner.js';

export interface RunContext {
  /** The remote command (default: a POSIX shell reading the script from stdin). */
  command?: string | undefined;
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
export function runScript(client: Client, script: string, context: RunContext): Promise<CommandResult> {
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
    client.exec(context.command ?? 'exec /bin/sh -s', (error, opened) => {
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
