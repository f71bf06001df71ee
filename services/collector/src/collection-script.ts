import { randomBytes } from 'node:crypto';
import type { ResolvedHost, RunSpec, UpdatesInfo } from '@infra-report/shared';
import type { AuthLogState } from './auth-log-state.js';
import { buildBatchScript, type BatchCommand } from './probes/command-batch.js';
import type { Probe, ProbeContext } from './probes/probe.js';
import { linuxProbes } from './probes/registry.js';

/** The exact script a collection sends to `/bin/sh -s` on a host: read-only, one exec. */
export function collectionScript(
  host: ResolvedHost,
  run: RunSpec,
  previous: AuthLogState | null = null,
  nonce = randomBytes(16).toString('hex'),
  previousUpdates: UpdatesInfo | null = null,
  probes: readonly Probe[] = linuxProbes,
): string {
  return buildBatchScript(
    batchCommands({ host, run, nonce, previousAuthLog: previous, previousUpdates }, probes),
    host.collect.maxOutputBytes,
    nonce,
  ).script;
}

/** The batch of the registry's probes for this host. */
function batchCommands(context: ProbeContext, probes: readonly Probe[]): BatchCommand[] {
  const commands = probes.flatMap((probe) => probe.commands(context));
  return [...commands.filter((c) => c.first), ...commands.filter((c) => !c.first)];
}

/**
 * Each probe's commands as a batch of their own (and an empty batch: what every batch costs),
 * for measuring what each probe costs a host (bench/host-cpu.mjs).
 */
export function probeScripts(
  host: ResolvedHost,
  run: RunSpec,
  previousUpdates: UpdatesInfo | null = null,
  nonce = randomBytes(16).toString('hex'),
  previousAuthLog: AuthLogState | null = null,
): { probe: string; script: string }[] {
  const context: ProbeContext = { host, run, nonce, previousAuthLog, previousUpdates };
  return [{ name: '(batch itself)', commands: () => [] as BatchCommand[] }, ...linuxProbes].map((probe) => ({
    probe: probe.name,
    script: buildBatchScript(probe.commands(context), host.collect.maxOutputBytes, nonce).script,
  }));
}
