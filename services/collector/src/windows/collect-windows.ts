import type { HostSnapshot, Logger, ResolvedHost, RunSpec } from '@infra-report/shared';
import { CollectionError, type CommandRunner } from '../command-runner.js';
import type { HostStateStore } from '../host-state.js';
import { extractWindowsDocument } from './windows-document.js';
import { windowsCommand, windowsScript } from './windows-script.js';
import { windowsSnapshot, type WindowsState } from './windows-snapshot.js';

/**
 * A Windows host's output is read whole, whatever the Linux cap: under a password spray the
 * document holds tens of MB of events. Past this, the host is failed with the reason.
 */
const windowsMaxBytes = 512 * 1024 * 1024;

/**
 * A Windows host: one PowerShell script over its OpenSSH server (events after each channel's
 * bookmark), one document back, parsed here. A document that cannot be read fails the host with
 * the reason; problems the host states are gaps in its snapshot.
 */
export async function collectWindows(
  host: ResolvedHost,
  run: RunSpec,
  runner: CommandRunner,
  deps: {
    now(): Date;
    logger: Logger;
    latencyMs: number | null;
    bruteForceAttempts?: number | undefined;
    windowsState?: HostStateStore<WindowsState> | undefined;
  },
): Promise<{ snapshot: HostSnapshot; remember: () => Promise<void> }> {
  const previous = (await deps.windowsState?.load(host.name)) ?? null;
  const { command, stdin } = windowsCommand(windowsScript(previous?.bookmarks ?? {}, new Date(run.windowStart)));
  const result = await runner.run(stdin, {
    command,
    timeoutMs: host.ssh.commandTimeoutMs,
    maxBytes: Math.max(host.collect.maxOutputBytes, windowsMaxBytes),
    // The document comes at the end: the whole script may take its time before the first byte.
    firstOutputTimeoutMs: host.ssh.commandTimeoutMs,
  });
  const output = result.stdout.toString('utf8');
  const read = extractWindowsDocument(output);
  if (!read.value) {
    const said = (result.stderr || output).trim().split('\n').slice(-2).join(' / ').slice(0, 200);
    throw new CollectionError(
      'command',
      `${host.name} (Windows): ${read.problems.join('; ')} (exit status ${result.exitCode ?? 'unknown'}${said ? `: ${said}` : ''})`,
      false,
    );
  }
  const { snapshot, state } = windowsSnapshot(host, run, read.value, {
    previous,
    collectedAt: deps.now(),
    latencyMs: deps.latencyMs,
    bruteForceAttempts: deps.bruteForceAttempts ?? 10,
  });
  snapshot.collectedBytes = result.stdout.length;
  return {
    snapshot,
    async remember() {
      await deps.windowsState?.save(host.name, state);
    },
  };
}
