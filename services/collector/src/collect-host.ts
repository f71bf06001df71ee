import {
  collectionConditions,
  conditionsFor,
  evaluateAlerts,
  resourceConditions,
  rulesOn,
  type AlertEvent,
  type AlertPolicy,
  type AlertStateStore,
  type CollectionProblem,
  type Config,
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
import {
  filterAuthLogEvents,
  mergeAuthLogEvents,
  type AuthLogState,
  type AuthLogStateStore,
} from './auth-log-state.js';
import {
  authLogCommand,
  describeUnreadableLog,
  parseAuthLog,
  parseAuthLogStatus,
  splitAuthLogChunks,
} from './probes/auth-log.js';
import { buildBatchScript, splitBatchOutput, type BatchCommand, type SectionOutput } from './probes/command-batch.js';
import { backupsCommand, parseBackups } from './probes/backups.js';
import { isJournalSource, journalCommand, parseJournalOutput } from './probes/journal.js';
import { cpuCommand, parseCpuSamples } from './probes/cpu.js';
import { diskCommand, inodeCommand, mergeDfInodes, parseDfOutput } from './probes/disk.js';
import { listeningPortsCommand, parseListeningPorts } from './probes/listening-ports.js';
import {
  parseProcessStates,
  parseSuspiciousProcesses,
  processStatesCommand,
  suspiciousProcessesCommand,
} from './probes/processes.js';
import { failedUnitsCommand, parseFailedUnits } from './probes/systemd.js';
import { parseTemperatures, temperatureCommand } from './probes/temperature.js';
import { countersFromSections, linuxCounterCommands } from './probes/linux-counters.js';
import { findSecurityIssues } from './security.js';
import { memoryCommand, parseMeminfo } from './probes/memory.js';
import type { Parsed } from './probes/parse-result.js';
import { parseWho, whoCommand } from './probes/sessions.js';
import { parseHostClock } from './probes/host-zone.js';
import { clockSyncCommand, parseClockSync } from './probes/clock-sync.js';
import { kernelEventsCommand, parseKernelEvents } from './probes/kernel-events.js';
import { parseUpdates, updatesCommand } from './probes/updates.js';
import { certificateFilesCommand, parseCertificateFiles, readTlsCertificate } from './probes/certificates.js';
import type { HostStateStore } from './host-state.js';
import {
  emptyOsInfo,
  parseCpuCount,
  parseLoadavg,
  parseOsRelease,
  parseUname,
  parseUptime,
  systemCommands,
} from './probes/system.js';

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
  /** Immediate alerts on the collection (the rules on for collections: by default a critical disk). */
  alerts?: CollectionAlerts | undefined;
}

export interface CollectionAlerts {
  state: AlertStateStore;
  thresholds: Config['report']['thresholds'];
  policy: AlertPolicy;
}

/**
 * The collection's immediate alerts (only the rules on for collections), returned with the
 * snapshot for the run to notify together. Alerts never fail a collection: a problem is logged.
 */
async function alertOnCollection(
  snapshot: HostSnapshot,
  alerts: CollectionAlerts,
  logger: Logger,
): Promise<AlertEvent[]> {
  const rules = rulesOn(alerts.policy, 'collection');
  if (rules.length === 0) return [];
  try {
    return await evaluateAlerts(
      {
        host: snapshot.host,
        groups: snapshot.groups,
        conditions: conditionsFor(alerts.policy, 'collection', [
          ...resourceConditions(snapshot, alerts.thresholds),
          ...collectionConditions(snapshot.logins.failed, snapshot.backups, alerts.thresholds),
        ]),
        rules,
        now: new Date(snapshot.collectedAt),
        source: 'collection',
        intervalMs: 0,
      },
      alerts.state,
      alerts.policy,
    );
  } catch (error) {
    logger.error({ host: snapshot.host, err: error }, 'cannot evaluate alerts');
    return [];
  }
}

/**
 * The collect job: one connection, one batched exec of read-only commands, parse, write points,
 * return the snapshot. A host that cannot be reached throws a CollectionError with the reason.
 */
export async function collectHost(host: ResolvedHost, run: RunSpec, deps: CollectDependencies): Promise<HostSnapshot> {
  const { runner, latencyMs } = await deps.openRunner(host);
  try {
    const previous = (await deps.authLogState?.load(host.name)) ?? null;
    const previousUpdates = host.collect.updates ? ((await deps.packageState?.load(host.name)) ?? null) : null;
    const nonce = randomBytes(16).toString('hex');
    const maxBytes = host.collect.maxOutputBytes;
    const script = collectionScript(host, run, previous, nonce, previousUpdates);
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
    );
    snapshot.collectedBytes = result.stdout.length;
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
    if (authLogState && deps.authLogState) await deps.authLogState.save(host.name, authLogState);
    if (snapshot.updates?.stamp && deps.packageState) await deps.packageState.save(host.name, snapshot.updates);
    if (deps.alerts) {
      const events = await alertOnCollection(snapshot, deps.alerts, deps.logger);
      if (events.length > 0) snapshot.alerts = events;
    }
    return snapshot;
  } finally {
    await runner.close().catch(() => undefined);
  }
}

/** The exact script a collection sends to `/bin/sh -s` on a host: read-only, one exec. */
export function collectionScript(
  host: ResolvedHost,
  run: RunSpec,
  previous: AuthLogState | null = null,
  nonce = randomBytes(16).toString('hex'),
  previousUpdates: UpdatesInfo | null = null,
): string {
  return buildBatchScript(
    batchCommands(host, run, previous, nonce, previousUpdates),
    host.collect.maxOutputBytes,
    nonce,
  ).script;
}

function batchCommands(
  host: ResolvedHost,
  run: RunSpec,
  previous: AuthLogState | null,
  nonce: string,
  previousUpdates: UpdatesInfo | null,
): BatchCommand[] {
  return [
    ...Object.entries(systemCommands).map(([name, script]) => ({ name, script })),
    { name: 'meminfo', script: memoryCommand },
    { name: 'df', script: diskCommand, large: true },
    { name: 'df-inodes', script: inodeCommand, large: true },
    { name: 'who', script: whoCommand },
    { name: 'processes', script: processStatesCommand },
    { name: 'suspicious-processes', script: suspiciousProcessesCommand },
    { name: 'failed-units', script: failedUnitsCommand },
    { name: 'listening', script: listeningPortsCommand, large: true },
    { name: 'temperature', script: temperatureCommand },
    ...linuxCounterCommands,
    { name: 'kernel', script: kernelEventsCommand(Date.parse(run.windowStart) / 1000), large: true },
    { name: 'clock-sync', script: clockSyncCommand },
    ...(host.collect.updates
      ? [{ name: 'updates', script: updatesCommand(previousUpdates?.stamp ?? null), large: true }]
      : []),
    ...(certificateFiles(host).length > 0
      ? [{ name: 'certificates', script: certificateFilesCommand(certificateFiles(host)) }]
      : []),
    ...(host.collect.backups.length > 0
      ? [{ name: 'backups', script: backupsCommand(host.collect.backups), large: true }]
      : []),
    // Last: its one-second pause between the two /proc/stat samples overlaps nothing else.
    { name: 'cpu', script: cpuCommand },
    {
      name: 'auth-log',
      large: true,
      script: isJournalSource(host.collect.authLog)
        ? journalCommand(
            host.collect.authLog,
            previous?.position.path === host.collect.authLog ? (previous.position.cursor ?? null) : null,
            Date.parse(run.windowStart) / 1000,
          )
        : authLogCommand(host.collect.authLog, previous?.position ?? null, Date.parse(run.windowStart) / 1000, nonce),
    },
  ];
}

/** Turns the sections into a snapshot; anything missing or odd becomes a problem, never a crash. */
export function buildSnapshot(
  host: ResolvedHost,
  run: RunSpec,
  sections: Map<string, SectionOutput>,
  latencyMs: number | null,
  collectedAt: Date,
  authLog: { previous: AuthLogState | null; nonce: string },
  bruteForceAttempts = 10,
  previousUpdates: UpdatesInfo | null = null,
): { snapshot: HostSnapshot; authLogState: AuthLogState | null } {
  const problems: CollectionProblem[] = [];
  const read = <T>(name: string, parse: (text: string) => Parsed<T>, fallback: T): T => {
    const section = sections.get(name);
    if (!section) {
      problems.push({ probe: name, message: 'no output (the command batch was cut off)' });
      return fallback;
    }
    if (section.exitCode === 127) {
      problems.push({
        probe: name,
        message: `command not found: ${section.text.trim().split('\n')[0]?.slice(0, 200) ?? ''}`,
      });
      return fallback;
    }
    if (section.truncated)
      problems.push({
        probe: name,
        message: `output longer than ${host.collect.maxOutputBytes} bytes: cut, the rest is missing`,
      });
    const parsed = parse(section.text);
    for (const message of parsed.problems) problems.push({ probe: name, message });
    if (section.exitCode !== 0 && section.exitCode !== null && !section.truncated && parsed.problems.length === 0) {
      problems.push({ probe: name, message: `exited with status ${section.exitCode}` });
    }
    return parsed.value;
  };

  const clock = read('clock', parseHostClock, { epochSeconds: null, utcOffset: null, timeZone: null });
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
    timeZone: clock.timeZone,
  };
  const uptimeSeconds = read('uptime', parseUptime, null);

  const logins: HostSnapshot['logins'] = {
    source: null,
    windowStart: run.windowStart,
    windowEnd: run.windowEnd,
    accepted: [],
    failed: [],
    signals: [],
    privilege: [],
  };
  const authLogState = readAuthLogSection(
    sections.get('auth-log'),
    { host, run, hostNow, utcOffset, timeZone: clock.timeZone, ...authLog },
    logins,
    (message) => problems.push({ probe: 'logins', message }),
  );
  const filesystems = read('df', parseDfOutput, [] as HostSnapshot['filesystems']);
  const suspicious = read('suspicious-processes', parseSuspiciousProcesses, { processes: [], hidden: 0 });
  if (suspicious.hidden > 0) {
    problems.push({
      probe: 'processes',
      message: `${suspicious.hidden} process(es) could not be inspected (other users' processes need root): /tmp and deleted executables were checked among the visible ones only`,
      expectedWithoutRoot: true,
    });
  }
  const collected: Omit<HostSnapshot, 'security'> = {
    host: host.name,
    address: host.address,
    groups: host.groups,
    labels: host.labels,
    collectedAt: collectedAt.toISOString(),
    sshLatencyMs: latencyMs,
    collectedBytes: 0,
    os,
    cpuCount: read('nproc', parseCpuCount, null),
    uptimeSeconds,
    bootTime: uptimeSeconds !== null ? new Date(hostNow.getTime() - uptimeSeconds * 1000).toISOString() : null,
    load: read('loadavg', parseLoadavg, null),
    cpu: read('cpu', parseCpuSamples, null),
    temperatures: read('temperature', parseTemperatures, null),
    memory: read('meminfo', parseMeminfo, null),
    filesystems: sections.has('df-inodes')
      ? read('df-inodes', (text) => mergeDfInodes(filesystems, text), filesystems)
      : filesystems,
    processes: read('processes', parseProcessStates, null),
    failedUnits: read('failed-units', parseFailedUnits, null),
    listening: read('listening', parseListeningPorts, []),
    suspiciousProcesses: suspicious.processes,
    backups:
      host.collect.backups.length > 0
        ? read('backups', (text) => parseBackups(text, host.collect.backups, hostNow), [])
        : [],
    usersNow: read('who', (text) => parseWho(text, clock.utcOffset), []),
    logins,
    kernelEvents: read(
      'kernel',
      (text) => parseKernelEvents(text, { hostNow, windowStart: new Date(run.windowStart) }),
      null,
    ),
    clockSync: read('clock-sync', parseClockSync, null),
    updates: host.collect.updates
      ? (read('updates', (text) => parseUpdates(text, previousUpdates), null)?.updates ?? null)
      : null,
    certificates: certificateFiles(host).length > 0 ? read('certificates', parseCertificateFiles, []) : [],
    counters: (() => {
      const parsed = countersFromSections(sections);
      for (const message of parsed.problems) problems.push({ probe: 'counters', message });
      return parsed.value;
    })(),
    problems,
  };
  const snapshot: HostSnapshot = {
    ...collected,
    security: findSecurityIssues(collected, { bruteForceAttempts, allowedPorts: host.collect.allowedPorts }),
  };
  return { snapshot, authLogState };
}

interface AuthLogReadContext {
  host: ResolvedHost;
  run: RunSpec;
  hostNow: Date;
  utcOffset: string;
  timeZone: string | null;
  previous: AuthLogState | null;
  nonce: string;
}

/** Fills `logins` from the auth-log section; returns the state to remember, or null when nothing was read. */
function readAuthLogSection(
  section: SectionOutput | undefined,
  context: AuthLogReadContext,
  logins: HostSnapshot['logins'],
  problem: (message: string) => void,
): AuthLogState | null {
  const { host, run, previous } = context;
  if (!section) {
    problem('no output (the command batch was cut off)');
    return null;
  }
  if (isJournalSource(host.collect.authLog))
    return readJournalSection(section.text, host.collect.authLog, context, logins, problem);
  const newline = section.text.indexOf('\n');
  const status = parseAuthLogStatus(newline < 0 ? section.text : section.text.slice(0, newline), host.collect.authLog);
  if (!status) {
    problem('unexpected output while looking for the auth log');
    return null;
  }
  if (status.status === 'missing') {
    problem(`no auth log found (tried ${status.tried.join(', ')}): logins not counted`);
    return null;
  }
  if (status.status === 'unreadable') {
    problem(describeUnreadableLog(status));
    return null;
  }
  if (status.status === 'journal')
    return readJournalSection(section.text.slice(newline + 1), 'journal', context, logins, problem);
  logins.source = status.path;
  const { chunks, lines } = splitAuthLogChunks(newline < 0 ? '' : section.text.slice(newline + 1), context.nonce);
  const parsed = parseAuthLog(lines, {
    windowStart: new Date(run.windowStart),
    windowEnd: new Date(run.windowEnd),
    hostNow: context.hostNow,
    utcOffset: context.utcOffset,
    timeZone: context.timeZone,
  });
  parsed.problems.forEach(problem);
  let fresh = parsed.value;
  for (const chunk of chunks) {
    if (chunk.kind === 'truncated' || chunk.kind === 'replaced')
      problem(`${chunk.path} was truncated or replaced since the last run: read again from the start`);
    if (chunk.kind === 'unreadable') problem(`cannot read the rotated log ${chunk.path}: its lines are missing`);
  }
  if (chunks.some((c) => c.kind === 'rotated-lost' || c.kind === 'replaced') && previous?.lastEventTime) {
    // The file read last time is gone (compressed, removed, overwritten): rotations were read
    // again, so keep only what is newer than the last event already counted.
    const after = previous.lastEventTime;
    fresh = filterAuthLogEvents(fresh, (e) => e.time > after);
    if (chunks.some((c) => c.kind === 'rotated-lost')) {
      problem(
        `${status.path} was rotated and the old file compressed or removed before it was read to the end: events of the second ${after} may be missing`,
      );
    }
  }
  if (section.truncated)
    problem(
      `new lines of ${status.path} exceed ${host.collect.maxOutputBytes} bytes: the rest was cut, counts are incomplete`,
    );
  const samePath = previous?.position.path === status.path;
  const merged = mergeAuthLogEvents(samePath ? previous.events : null, fresh, run.windowStart);
  if (merged.capped) problem('more than 50,000 events of one kind in the window: only the newest are kept');
  Object.assign(logins, merged.events);
  const times = [...fresh.accepted, ...fresh.failed, ...fresh.signals, ...fresh.privilege].map((e) => e.time).sort();
  return {
    position: status.position,
    events: merged.events,
    lastEventTime: times.at(-1) ?? previous?.lastEventTime ?? null,
  };
}

/** The journal variant: same parser (entries become RFC 3339 lines), position = the journal cursor. */
function readJournalSection(
  text: string,
  source: string,
  context: AuthLogReadContext,
  logins: HostSnapshot['logins'],
  problem: (message: string) => void,
): AuthLogState | null {
  const { run, previous } = context;
  const read = parseJournalOutput(text);
  read.problems.forEach(problem);
  const journal = read.value;
  if (journal.status === 'missing') {
    problem('no auth log file and no journalctl on the host: logins not counted');
    return null;
  }
  if (journal.status === 'unreadable') {
    problem(
      `cannot read the journal file ${journal.path} as user ${journal.user}: add it to group systemd-journal (or adm)`,
    );
    return null;
  }
  logins.source = source === 'journal' ? 'systemd journal' : `journal file ${source.slice('journal:'.length)}`;
  if (source === 'journal' && !journal.userCanSeeAll) {
    problem(
      `user ${journal.user} sees only its own journal entries: add it to group systemd-journal (or adm) to count logins`,
    );
  }
  const parsed = parseAuthLog(journal.lines, {
    windowStart: new Date(run.windowStart),
    windowEnd: new Date(run.windowEnd),
    hostNow: context.hostNow,
    utcOffset: context.utcOffset,
    timeZone: context.timeZone,
  });
  parsed.problems.forEach(problem);
  const samePath = previous?.position.path === source;
  const merged = mergeAuthLogEvents(samePath ? previous.events : null, parsed.value, run.windowStart);
  Object.assign(logins, merged.events);
  return {
    position: {
      path: source,
      inode: 'journal',
      offset: 0,
      fingerprint: '',
      fingerprintBytes: 0,
      cursor: journal.cursor ?? (samePath ? (previous.position.cursor ?? null) : null),
    },
    events: merged.events,
    lastEventTime: previous?.lastEventTime ?? null,
  };
}

/** The certificate files configured for a host (TLS ports are read from the collector). */
function certificateFiles(host: ResolvedHost): string[] {
  return host.collect.certificates.flatMap((c) => ('path' in c ? [c.path] : []));
}
