import type { CollectionProblem, HostSnapshot, ResolvedHost, RunSpec, UpdatesInfo } from '@infra-report/shared';
import type { AuthLogState } from '../auth-log-state.js';
import type { BatchCommand, SectionOutput } from './command-batch.js';
import type { HostClock } from './host-zone.js';
import type { Parsed } from './parse-result.js';

/** What a probe knows when it writes its commands. */
export interface ProbeContext {
  host: ResolvedHost;
  run: RunSpec;
  /** The batch's random marker (a probe whose output could forge section lines uses it too). */
  nonce: string;
  previousAuthLog: AuthLogState | null;
  previousUpdates: UpdatesInfo | null;
}

/** What a probe knows when it reads its output: the host's own clock besides. */
export interface ReadContext extends ProbeContext {
  collectedAt: Date;
  clock: HostClock;
  /** The host's time when it ran the batch (its clock; ours where it gave none). */
  hostNow: Date;
  /** The host's UTC offset ("+0200"), +0000 where it gave none. */
  utcOffset: string;
  /** What the collection remembers for next time (the auth log's position and events). */
  remember: { authLog: AuthLogState | null };
}

/** A probe's sections as they came back, read once each, with every gap recorded as a problem. */
export interface SectionReader {
  /** Parses a section; a missing, failed or cut one is a problem and gives `fallback`. */
  read<T>(name: string, parse: (text: string) => Parsed<T>, fallback: T): T;
  has(name: string): boolean;
  section(name: string): SectionOutput | undefined;
  problem(problem: CollectionProblem): void;
}

/** The part of a snapshot a probe fills. */
export type SnapshotPart = Partial<Omit<HostSnapshot, 'host' | 'address' | 'groups' | 'labels' | 'problems'>>;

/**
 * One reading of a host: the shell it adds to the collection's one batch (named sections; none
 * where it does not apply to this host) and how its sections become its part of the snapshot.
 * The batch, the snapshot and the per-probe cost are all built from the registry of these.
 */
export interface Probe {
  name: string;
  commands(context: ProbeContext): BatchCommand[];
  parse(sections: SectionReader, context: ReadContext): SnapshotPart;
}

/** A reader over a batch's sections that records problems as the collection always has. */
export function sectionReader(
  sections: Map<string, SectionOutput>,
  maxOutputBytes: number,
  problems: CollectionProblem[],
): SectionReader {
  return {
    read(name, parse, fallback) {
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
        problems.push({ probe: name, message: `output longer than ${maxOutputBytes} bytes: cut, the rest is missing` });
      const parsed = parse(section.text);
      for (const message of parsed.problems) problems.push({ probe: name, message });
      if (section.exitCode !== 0 && section.exitCode !== null && !section.truncated && parsed.problems.length === 0)
        problems.push({ probe: name, message: `exited with status ${section.exitCode}` });
      return parsed.value;
    },
    has: (name) => sections.has(name),
    section: (name) => sections.get(name),
    problem: (problem) => problems.push(problem),
  };
}

/** A probe of one section whose parser needs nothing but its text. */
export function simpleProbe<K extends keyof SnapshotPart, T extends SnapshotPart[K]>(
  name: string,
  field: K,
  script: string,
  parse: (text: string) => Parsed<T>,
  fallback: T,
  options: { large?: boolean; inline?: boolean } = {},
): Probe {
  return {
    name,
    commands: () => [
      { name, script, ...(options.large ? { large: true } : {}), ...(options.inline ? { inline: true } : {}) },
    ],
    parse: (sections) => ({ [field]: sections.read(name, parse, fallback) }) as SnapshotPart,
  };
}
