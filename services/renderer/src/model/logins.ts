import type { HostSnapshot, PrivilegeUse } from '@infra-report/shared';
import type { ReportHistory } from '../history.js';
import type { AcceptedLoginRow, FailedSourceRow, FailedUserRow, FleetSourceRow } from './types.js';

/** Accepted logins in time order; `firstSeen` when the address is new to the host (90 days of history). */
export function buildAcceptedLogins(snapshots: HostSnapshot[], history: ReportHistory): AcceptedLoginRow[] {
  return snapshots
    .flatMap((s) => {
      const known = history.loginHistoryKnown ? (history.knownSourceIps.get(s.host) ?? new Set<string>()) : null;
      const seenThisWindow = new Set<string>();
      return [...s.logins.accepted]
        .sort((a, b) => a.time.localeCompare(b.time))
        .map((l) => {
          const firstSeen =
            known === null || l.sourceIp === '' ? null : !known.has(l.sourceIp) && !seenThisWindow.has(l.sourceIp);
          seenThisWindow.add(l.sourceIp);
          return {
            host: s.host,
            time: new Date(l.time),
            user: l.user,
            sourceIp: l.sourceIp,
            method: l.method,
            firstSeen,
          };
        });
    })
    .sort((a, b) => a.time.getTime() - b.time.getTime() || a.host.localeCompare(b.host));
}

/** Failed logins and probes per host and source address, most attempts first, then most probes. */
export function buildFailedBySource(snapshots: HostSnapshot[]): FailedSourceRow[] {
  return snapshots
    .flatMap((s) => failedSources(s))
    .sort(
      (a, b) =>
        b.attempts - a.attempts ||
        b.probes - a.probes ||
        a.host.localeCompare(b.host) ||
        a.sourceIp.localeCompare(b.sourceIp),
    );
}

/** Failed logins per user name across the fleet, most attempts first. */
export function buildFailedByUser(snapshots: HostSnapshot[]): FailedUserRow[] {
  const byUser = new Map<string, FailedUserRow & { sourceSet: Set<string> }>();
  for (const s of snapshots) {
    for (const f of s.logins.failed) {
      const row = byUser.get(f.user) ?? {
        user: f.user,
        attempts: 0,
        invalid: false,
        sources: 0,
        hosts: [],
        sourceSet: new Set<string>(),
      };
      row.attempts += f.count;
      row.invalid ||= f.kind === 'invalid-user';
      row.sourceSet.add(f.sourceIp);
      if (!row.hosts.includes(s.host)) row.hosts.push(s.host);
      byUser.set(f.user, row);
    }
  }
  return [...byUser.values()]
    .map(({ sourceSet, ...row }) => ({ ...row, sources: sourceSet.size }))
    .sort((a, b) => b.attempts - a.attempts || a.user.localeCompare(b.user));
}

/** sudo and su uses of every host, in time order. */
export function buildPrivilegeRows(snapshots: HostSnapshot[]): (PrivilegeUse & { host: string })[] {
  return snapshots
    .flatMap((s) => s.logins.privilege.map((p) => ({ ...p, host: s.host })))
    .sort((a, b) => a.time.localeCompare(b.time));
}

function failedSources(snapshot: HostSnapshot): FailedSourceRow[] {
  const bySource = new Map<string, FailedSourceRow>();
  const rowFor = (sourceIp: string, time: Date, lastTime = time) => {
    let row = bySource.get(sourceIp);
    if (!row) {
      row = {
        host: snapshot.host,
        sourceIp,
        attempts: 0,
        invalidUserAttempts: 0,
        probes: 0,
        users: [],
        firstAttempt: time,
        lastAttempt: time,
      };
      bySource.set(sourceIp, row);
    }
    if (time < row.firstAttempt) row.firstAttempt = time;
    if (lastTime > row.lastAttempt) row.lastAttempt = lastTime;
    return row;
  };
  for (const failure of snapshot.logins.failed) {
    const row = rowFor(failure.sourceIp, new Date(failure.time), new Date(failure.lastTime ?? failure.time));
    row.attempts += failure.count;
    if (failure.kind === 'invalid-user') row.invalidUserAttempts += failure.count;
    if (!row.users.includes(failure.user)) row.users.push(failure.user);
  }
  for (const signal of snapshot.logins.signals) {
    if (signal.kind === 'invalid-user') continue; // the attempt itself is in `failed`
    rowFor(signal.sourceIp, new Date(signal.time), new Date(signal.lastTime ?? signal.time)).probes += signal.count;
  }
  return [...bySource.values()];
}

/** Per-host source rows added up per source across the fleet: most attempts first, then most probes. */
export function buildSourcesAcrossHosts(rows: FailedSourceRow[]): FleetSourceRow[] {
  const bySource = new Map<string, FleetSourceRow>();
  for (const row of rows) {
    const fleet = bySource.get(row.sourceIp) ?? {
      sourceIp: row.sourceIp,
      attempts: 0,
      invalidUserAttempts: 0,
      probes: 0,
      hosts: [],
      users: [],
      lastAttempt: row.lastAttempt,
    };
    fleet.attempts += row.attempts;
    fleet.invalidUserAttempts += row.invalidUserAttempts;
    fleet.probes += row.probes;
    fleet.hosts.push(row.host);
    for (const user of row.users) if (!fleet.users.includes(user)) fleet.users.push(user);
    if (row.lastAttempt > fleet.lastAttempt) fleet.lastAttempt = row.lastAttempt;
    bySource.set(row.sourceIp, fleet);
  }
  return [...bySource.values()].sort(
    (a, b) => b.attempts - a.attempts || b.probes - a.probes || a.sourceIp.localeCompare(b.sourceIp),
  );
}
