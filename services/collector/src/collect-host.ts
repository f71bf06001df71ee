import type { CollectionProblem, HostSnapshot, InfluxStore, Logger, ResolvedHost, RunSpec } from '@infra-report/shared';
import { CollectionError, type CommandRunner } from './command-runner.js';
import { snapshotToPoints } from './points.js';
import { authLogCommand, describeUnreadableLog, parseAuthLog, parseAuthLogStatus } from './probes/auth-log.js';
import { buildBatchScript, splitBatchOutput, type BatchCommand, type SectionOutput } from './probes/command-batch.js';
import { diskCommand, parseDfOutput } from './probes/disk.js';
import { memoryCommand, parseMeminfo } from './probes/memory.js';
import type { Parsed } from './probes/parse-result.js';
import { parseProcessCount, parseWho, processCountCommand, whoCommand } from './probes/sessions.js';
import { emptyOsInfo, parseClock, parseCpuCount, parseLoadavg, parseOsRelease, parseUname, parseUptime, systemCommands } from './probes/system.js';

export interface OpenedRunner {
  runner: CommandRunner;
  /** Connect + authenticate time; null when no connection was needed. */
  latencyMs: number | null;
}

export interface CollectDependencies {
  /** Opens the SSH session (or the local runner) for a host; throws CollectionError. */
  openRunner(host: ResolvedHost): Promise<OpenedRunner>;
  /** Where points go; absent in one-process mode without InfluxDB. */
  influx: InfluxStore | undefined;
  now(): Date;
  logger: Logger;
}

/**
 * The collect job: one connection, one batched exec of read-only commands, parse, write points,
 * return the snapshot. A host that cannot be reached throws a CollectionError with the reason.
 */
export async function collectHost(host: ResolvedHost, run: RunSpec, deps: CollectDependencies): Promise<HostSnapshot> {
  const { runner, latencyMs } = await deps.openRunner(host);
  try {
    const commands = batchCommands(host);
    const maxBytes = host.collect.maxOutputBytes;
    const { script, nonce } = buildBatchScript(commands, maxBytes);
    const result = await runner.run(script, {
      timeoutMs: host.ssh.commandTimeoutMs,
      // Every section's cap plus room for the markers.
      maxBytes: commands.length * (maxBytes + 256),
    });
    const output = result.stdout.toString('utf8');
    if (!output.includes(`@@ir-${nonce}@@ begin`)) {
      const detail = (result.stderr || output).trim().split('\n').slice(-3).join(' / ').slice(0, 300);
      throw new CollectionError(`commands did not run on ${host.name} (exit status ${result.exitCode ?? 'unknown'}): ${detail || 'no output'}`, false);
    }
    const sections = splitBatchOutput(output, nonce, maxBytes);
    const snapshot = buildSnapshot(host, run, sections, latencyMs, deps.now());
    if (deps.influx) {
      try {
        await deps.influx.writePoints(snapshotToPoints(snapshot));
      } catch (error) {
        deps.logger.error({ host: host.name, err: error }, 'cannot write points to InfluxDB');
        snapshot.problems.push({ probe: 'influx', message: `points not stored: ${(error as Error).message}` });
      }
    }
    return snapshot;
  } finally {
    await runner.close().catch(() => undefined);
  }
}

function batchCommands(host: ResolvedHost): BatchCommand[] {
  return [
    ...Object.entries(systemCommands).map(([name, script]) => ({ name, script })),
    { name: 'meminfo', script: memoryCommand },
    { name: 'df', script: diskCommand },
    { name: 'who', script: whoCommand },
    { name: 'processes', script: processCountCommand },
    { name: 'auth-log', script: authLogCommand(host.collect.authLog) },
  ];
}

/** Turns the sections into a snapshot; anything missing or odd becomes a problem, never a crash. */
export function buildSnapshot(
  host: ResolvedHost,
  run: RunSpec,
  sections: Map<string, SectionOutput>,
  latencyMs: number | null,
  collectedAt: Date,
): HostSnapshot {
  const problems: CollectionProblem[] = [];
  const read = <T>(name: string, parse: (text: string) => Parsed<T>, fallback: T): T => {
    const section = sections.get(name);
    if (!section) {
      problems.push({ probe: name, message: 'no output (the command batch was cut off)' });
      return fallback;
    }
    if (section.exitCode === 127) {
      problems.push({ probe: name, message: `command not found: ${section.text.trim().split('\n')[0]?.slice(0, 200) ?? ''}` });
      return fallback;
    }
    if (section.truncated) problems.push({ probe: name, message: `output longer than ${host.collect.maxOutputBytes} bytes: cut, the rest is missing` });
    const parsed = parse(section.text);
    for (const message of parsed.problems) problems.push({ probe: name, message });
    if (section.exitCode !== 0 && section.exitCode !== null && !section.truncated && parsed.problems.length === 0) {
      problems.push({ probe: name, message: `exited with status ${section.exitCode}` });
    }
    return parsed.value;
  };

  const clock = read('clock', parseClock, { epochSeconds: null, utcOffset: null });
  const hostNow = clock.epochSeconds !== null ? new Date(clock.epochSeconds * 1000) : collectedAt;
  const utcOffset = clock.utcOffset ?? '+0000';
  const uname = read('uname', parseUname, { kernel: null, arch: null });
  const os = {
    ...emptyOsInfo(),
    prettyName: read('os-release', parseOsRelease, null),
    kernel: uname.kernel,
    arch: uname.arch,
    hostname: sections.get('hostname')?.text.trim().slice(0, 253) || null,
    utcOffset: clock.utcOffset,
  };
  const uptimeSeconds = read('uptime', parseUptime, null);

  const authSection = sections.get('auth-log');
  const windowStart = new Date(run.windowStart);
  const windowEnd = new Date(run.windowEnd);
  const logins: HostSnapshot['logins'] = { source: null, windowStart: run.windowStart, windowEnd: run.windowEnd, accepted: [], failed: [], signals: [], privilege: [] };
  if (!authSection) {
    problems.push({ probe: 'logins', message: 'no output (the command batch was cut off)' });
  } else {
    const newline = authSection.text.indexOf('\n');
    const status = parseAuthLogStatus(newline < 0 ? authSection.text : authSection.text.slice(0, newline), host.collect.authLog);
    if (!status) {
      problems.push({ probe: 'logins', message: 'unexpected output while looking for the auth log' });
    } else if (status.status === 'missing') {
      problems.push({ probe: 'logins', message: `no auth log found (tried ${status.tried.join(', ')}): logins not counted` });
    } else if (status.status === 'unreadable') {
      problems.push({ probe: 'logins', message: describeUnreadableLog(status) });
    } else {
      logins.source = status.path;
      if (authSection.truncated) problems.push({ probe: 'logins', message: `sshd lines of ${status.path} exceed ${host.collect.maxOutputBytes} bytes: the newest were cut, counts are incomplete` });
      const parsed = parseAuthLog(newline < 0 ? '' : authSection.text.slice(newline + 1), { windowStart, windowEnd, hostNow, utcOffset });
      Object.assign(logins, parsed.value);
      for (const message of parsed.problems) problems.push({ probe: 'logins', message });
    }
  }

  return {
    host: host.name,
    address: host.address,
    groups: host.groups,
    labels: host.labels,
    collectedAt: collectedAt.toISOString(),
    sshLatencyMs: latencyMs,
    os,
    cpuCount: read('nproc', parseCpuCount, null),
    uptimeSeconds,
    bootTime: uptimeSeconds !== null ? new Date(hostNow.getTime() - uptimeSeconds * 1000).toISOString() : null,
    load: read('loadavg', parseLoadavg, null),
    memory: read('meminfo', parseMeminfo, null),
    filesystems: read('df', parseDfOutput, []),
    processes: ((count) => (count === null ? null : { total: count }))(read('processes', parseProcessCount, null)),
    usersNow: read('who', (text) => parseWho(text, clock.utcOffset), []),
    logins,
    problems,
  };
}
