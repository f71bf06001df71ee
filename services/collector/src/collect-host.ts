import {
  type CollectionProblem,
  type HostSnapshot,
  type InfluxStore,
  type Logger,
  type ResolvedHost,
  type RunSpec,
  type UpdatesInfo,
} from '@infra-report/shared';
import { CollectionError, type CommandRunner } from './command-runner.js';
import { snapshotToPoints } from './points.js';
import { randomBytes } from 'node:crypto';
import type { AuthLogState, AuthLogStateStore } from './auth-log-state.js';
import { splitBatchOutput, type SectionOutput } from './probes/command-batch.js';
import { readTlsCertificate } from './probes/certificates.js';
import { parseHostClock } from './probes/host-zone.js';
import { sectionReader, type Probe, type ReadContext } from './probes/probe.js';
import { linuxProbes } from './probes/registry.js';
import { collectionScript } from './collection-script.js';
import { emptySnapshot } from './probes/empty-snapshot.js';
import { alertOnCollection, type CollectionAlerts } from './collection-alerts.js';
import { findSecurityIssues } from './security.js';
import type { HostStateStore } from './host-state.js';
import { collectWindows } from './windows/collect-windows.js';
import type { WindowsState } from './windows/windows-snapshot.js';

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
  /** Remembers where each host's auth log was read up to; without it every run reads the window again. */
  authLogState?: AuthLogStateStore | undefined;
  /** Remembers each host's last update check and its package state, so the simulation runs only on a change. */
  packageState?: HostStateStore<UpdatesInfo> | undefined;
  /** Failed logins from one address that make it a brute-force source (report.thresholds.brute_force_attempts). */
  bruteForceAttempts?: number;
  /** Remembers each Windows host's event bookmarks and the window's logons. */
  windowsState?: HostStateStore<WindowsState> | undefined;
  /** The probes to run (the Linux registry unless given). */
  probes?: readonly Probe[] | undefined;
  /** Immediate alerts on the collection (the rules on for collections: by default a critical disk). */
  alerts?: CollectionAlerts | undefined;
}

/**
 * The collect job: one connection, one batched exec of read-only commands, parse, write points,
 * return the snapshot. A host that cannot be reached throws a CollectionError with the reason.
 */
export async function collectHost(host: ResolvedHost, run: RunSpec, deps: CollectDependencies): Promise<HostSnapshot> {
  const { runner, latencyMs } = await deps.openRunner(host);
  try {
    const { snapshot, remember } =
      host.platform === 'windows'
        ? await collectWindows(host, run, runner, { ...deps, latencyMs })
        : await collectLinux(host, run, runner, { ...deps, latencyMs });
    // TLS ports are read by the collector itself, from the host's address.
    const ports = host.collect.certificates.flatMap((c) => ('port' in c ? [c] : []));
    if (ports.length > 0)
      snapshot.certificates = [
        ...(snapshot.certificates ?? []),
        ...(await Promise.all(
          ports.map((c) => readTlsCertificate(host.local ? '127.0.0.1' : host.address, c.port, c.server_name)),
        )),
      ];
    if (deps.influx) {
      try {
        await deps.influx.writePoints(snapshotToPoints(snapshot));
      } catch (error) {
        deps.logger.error({ host: host.name, err: error }, 'cannot write points to InfluxDB');
        snapshot.problems.push({ probe: 'influx', message: `points not stored: ${(error as Error).message}` });
      }
    }
    await remember();
    if (deps.alerts) {
      const events = await alertOnCollection(snapshot, deps.alerts, deps.logger);
      if (events.length > 0) snapshot.alerts = events;
    }
    return snapshot;
  } finally {
    await runner.close().catch(() => undefined);
  }
}

/** A Linux (or other Unix) host: the registry's probes in one batch over `/bin/sh -s`. */
async function collectLinux(
  host: ResolvedHost,
  run: RunSpec,
  runner: CommandRunner,
  deps: CollectDependencies & { latencyMs: number | null },
): Promise<{ snapshot: HostSnapshot; remember: () => Promise<void> }> {
  const { latencyMs } = deps;
  const previous = (await deps.authLogState?.load(host.name)) ?? null;
  const previousUpdates = host.collect.updates ? ((await deps.packageState?.load(host.name)) ?? null) : null;
  const nonce = randomBytes(16).toString('hex');
  const maxBytes = host.collect.maxOutputBytes;
  const probes = deps.probes ?? linuxProbes;
  const script = collectionScript(host, run, previous, nonce, previousUpdates, probes);
  const result = await runner.run(script, {
    timeoutMs: host.ssh.commandTimeoutMs,
    // One section may use its whole cap (the auth log); the others are small. A host whose
    // output never ends is cut here, and its missing sections are marked.
    maxBytes: maxBytes + 4 * 1024 * 1024,
  });
  const output = result.stdout.toString('utf8');
  if (!output.includes(`@@ir-${nonce}@@ begin`)) {
    if (result.truncated) {
      throw new CollectionError(
        'command',
        `${host.name} printed more than ${result.stdout.length} bytes without running the commands (a login banner or shell that never stops talking): output cut`,
        false,
      );
    }
    const detail = (result.stderr || output).trim().split('\n').slice(-3).join(' / ').slice(0, 300);
    throw new CollectionError(
      'command',
      `commands did not run on ${host.name} (exit status ${result.exitCode ?? 'unknown'}): ${detail || 'no output'}`,
      false,
    );
  }
  const sections = splitBatchOutput(output, nonce, maxBytes);
  const { snapshot, authLogState } = buildSnapshot(
    host,
    run,
    sections,
    latencyMs,
    deps.now(),
    { previous, nonce },
    deps.bruteForceAttempts ?? 10,
    previousUpdates,
    probes,
  );
  snapshot.collectedBytes = result.stdout.length;
  return {
    snapshot,
    async remember() {
      if (authLogState && deps.authLogState) await deps.authLogState.save(host.name, authLogState);
      if (snapshot.updates?.stamp && deps.packageState) await deps.packageState.save(host.name, snapshot.updates);
    },
  };
}

/** Turns the sections into a snapshot, probe by probe; anything missing or odd becomes a problem, never a crash. */
export function buildSnapshot(
  host: ResolvedHost,
  run: RunSpec,
  sections: Map<string, SectionOutput>,
  latencyMs: number | null,
  collectedAt: Date,
  authLog: { previous: AuthLogState | null; nonce: string },
  bruteForceAttempts = 10,
  previousUpdates: UpdatesInfo | null = null,
  probes: readonly Probe[] = linuxProbes,
): { snapshot: HostSnapshot; authLogState: AuthLogState | null } {
  const problems: CollectionProblem[] = [];
  const reader = sectionReader(sections, host.collect.maxOutputBytes, problems);
  const clock = reader.read('clock', parseHostClock, { epochSeconds: null, utcOffset: null, timeZone: null });
  const context: ReadContext = {
    host,
    run,
    nonce: authLog.nonce,
    previousAuthLog: authLog.previous,
    previousUpdates,
    collectedAt,
    clock,
    hostNow: clock.epochSeconds !== null ? new Date(clock.epochSeconds * 1000) : collectedAt,
    utcOffset: clock.utcOffset ?? '+0000',
    remember: { authLog: null },
  };
  const parts = probes.map((probe) => probe.parse(reader, context));
  // Readings of several probes go side by side, not over each other.
  const readings = Object.assign({}, ...parts.map((part) => part.readings ?? {})) as Record<
    string,
    number | string | null
  >;
  const collected: Omit<HostSnapshot, 'security'> = {
    ...emptySnapshot(host, run, collectedAt, latencyMs),
    ...Object.assign({}, ...parts),
    ...(Object.keys(readings).length > 0 ? { readings } : {}),
    problems,
  };
  const snapshot: HostSnapshot = {
    ...collected,
    security: findSecurityIssues(collected, { bruteForceAttempts, allowedPorts: host.collect.allowedPorts }),
  };
  return { snapshot, authLogState: context.remember.authLog };
}
