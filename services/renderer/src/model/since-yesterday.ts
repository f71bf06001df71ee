import type { HostFailure, HostSnapshot } from '@infra-report/shared';
import type { ReportHistory } from '../history.js';
import type { AcceptedLoginRow, DiskRow, SinceYesterday } from './types.js';

/** A disk that grew more than this many percentage points since the last run is listed. */
const diskGrowthPoints = 10;

/**
 * What changed since the day before, from the history in InfluxDB: hosts new or gone, disks
 * that grew, listening ports not seen before, logins from new addresses. Unknown without history.
 */
export function buildSinceYesterday(
  snapshots: HostSnapshot[],
  failures: HostFailure[],
  disks: DiskRow[],
  acceptedLogins: AcceptedLoginRow[],
  history: ReportHistory,
): SinceYesterday {
  if (history.unavailable !== null || history.hostsBefore === null)
    return { known: false, newHosts: [], goneHosts: [], grownDisks: [], newPorts: [], newLoginSources: [] };
  const now = new Set([...snapshots.map((s) => s.host), ...failures.map((f) => f.host)]);
  const before = history.hostsBefore;
  const newPorts = snapshots.flatMap((s) => {
    const known = history.portsBefore.get(s.host);
    // A host without port history (new, or collected before ports were kept) has no "new" ports.
    if (!known) return [];
    const seen = new Set<string>();
    return s.listening.flatMap((l) => {
      const port = `${l.port}/${l.protocol}`;
      if (known.has(port) || seen.has(port)) return [];
      seen.add(port);
      return [
        {
          host: s.host,
          port,
          addresses: s.listening.filter((x) => `${x.port}/${x.protocol}` === port).map((x) => x.address),
        },
      ];
    });
  });
  return {
    known: true,
    newHosts: [...now].filter((h) => !before.has(h)).sort(),
    goneHosts: [...before].filter((h) => !now.has(h)).sort(),
    grownDisks: disks
      .filter((d) => d.previousPercent !== null && d.usedPercent - d.previousPercent > diskGrowthPoints)
      .map((d) => ({ host: d.host, mount: d.mount, from: Math.round(d.previousPercent ?? 0), to: d.usedPercent })),
    newPorts,
    newLoginSources: acceptedLogins
      .filter((l) => l.firstSeen === true)
      .map((l) => ({ host: l.host, source: l.sourceIp, user: l.user })),
  };
}
