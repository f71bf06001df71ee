import type { HostSnapshot, ResolvedHost, RunSpec } from '@infra-report/shared';
import { filterAuthLogEvents, mergeAuthLogEvents, type AuthLogState } from '../auth-log-state.js';
import {
  authLogCommand,
  describeUnreadableLog,
  parseAuthLog,
  parseAuthLogStatus,
  splitAuthLogChunks,
} from './auth-log.js';
import type { SectionOutput } from './command-batch.js';
import { isJournalSource, journalCommand, parseJournalOutput } from './journal.js';
import type { Probe } from './probe.js';

/**
 * Logins of the window from the auth log (the rotated file too when the window spans a
 * rotation) or the journal, read from where the last collection stopped; last in the batch.
 */
export const authLogProbe: Probe = {
  name: 'auth-log',
  commands: ({ host, run, previousAuthLog: previous, nonce }) => [
    {
      // Not a `large` section: the script caps what it reads from the log itself.
      name: 'auth-log',
      script: isJournalSource(host.collect.authLog)
        ? journalCommand(
            host.collect.authLog,
            previous?.position.path === host.collect.authLog ? (previous.position.cursor ?? null) : null,
            Date.parse(run.windowStart) / 1000,
            host.collect.maxOutputBytes,
          )
        : authLogCommand(
            host.collect.authLog,
            previous?.position ?? null,
            Date.parse(run.windowStart) / 1000,
            nonce,
            host.collect.maxOutputBytes,
          ),
    },
  ],
  parse(sections, context) {
    const logins: HostSnapshot['logins'] = {
      source: null,
      windowStart: context.run.windowStart,
      windowEnd: context.run.windowEnd,
      accepted: [],
      failed: [],
      signals: [],
      privilege: [],
    };
    context.remember.authLog = readAuthLogSection(
      sections.section('auth-log'),
      {
        host: context.host,
        run: context.run,
        hostNow: context.hostNow,
        utcOffset: context.utcOffset,
        timeZone: context.clock.timeZone,
        previous: context.previousAuthLog,
        nonce: context.nonce,
      },
      logins,
      (message) => sections.problem({ probe: 'logins', message }),
    );
    return { logins };
  },
};

interface AuthLogReadContext {
  host: ResolvedHost;
  run: RunSpec;
  hostNow: Date;
  utcOffset: string;
  timeZone: string | null;
  previous: AuthLogState | null;
  nonce: string;
}

/** The window and the host's clock, as the auth-log reader takes them. */
function parseContext(context: AuthLogReadContext) {
  return {
    windowStart: new Date(context.run.windowStart),
    windowEnd: new Date(context.run.windowEnd),
    hostNow: context.hostNow,
    utcOffset: context.utcOffset,
    timeZone: context.timeZone,
  };
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
  const parsed = parseAuthLog(lines, parseContext(context));
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
  const parsed = parseAuthLog(journal.lines, parseContext(context));
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
