import type { CollectedRun, InfluxStore, Logger } from '@infra-report/shared';
import { formatBytes } from './format.js';

/** What the report compares today with, read from InfluxDB; every part may be missing. */
export interface ReportHistory {
  /** Why there is no history at all (no InfluxDB, or it failed), for the report to say. */
  unavailable: string | null;
  /** "host\u0000mount" -> disk usage points of the last 30 days, oldest first. */
  diskSeries: Map<string, { time: number; usedBytes: number }[]>;
  /** "host\u0000mount" -> used % at the previous run. */
  previousDiskPercent: Map<string, number>;
  /** host -> source IPs of accepted logins in the 90 days before the window; empty map = never any. */
  knownSourceIps: Map<string, Set<string>>;
  /** True when the login history query answered (an empty answer means "all addresses are new"). */
  loginHistoryKnown: boolean;
  /** host -> hourly means of the last 24 hours (load1, memory used %), oldest first. */
  load24h: Map<string, { time: number; value: number }[]>;
  memory24h: Map<string, { time: number; value: number }[]>;
  /** Hosts that reported in the two days before this run; null when unknown. */
  hostsBefore: Set<string> | null;
  /** host -> "22/tcp" ports it listened on in the two days before this run (hosts with that history only). */
  portsBefore: Map<string, Set<string>>;
}

export function noHistory(reason: string): ReportHistory {
  return {
    unavailable: reason,
    diskSeries: new Map(),
    previousDiskPercent: new Map(),
    knownSourceIps: new Map(),
    loginHistoryKnown: false,
    load24h: new Map(),
    memory24h: new Map(),
    hostsBefore: null,
    portsBefore: new Map(),
  };
}

export const diskKey = (host: string, mount: string) => `${host}\u0000${mount}`;

const quote = (iso: string) => `'${iso.replace(/'/g, '')}'`;

/**
 * A few InfluxQL queries for the whole fleet (never one per host): disk usage of the last 30
 * days, the last disk usage before this run, the addresses of earlier accepted logins, the last
 * day's load and memory, and the hosts and listening ports of the two days before this run.
 */
export async function loadReportHistory(
  influx: InfluxStore | undefined,
  collected: CollectedRun,
  logger: Logger,
): Promise<ReportHistory> {
  if (!influx)
    return noHistory('no InfluxDB configured: no forecasts, no comparison with yesterday, no first-seen addresses');
  const end = new Date(collected.run.windowEnd);
  const start = new Date(collected.run.windowStart);
  const iso = (d: Date) => quote(d.toISOString());
  // This run's own points are written just before rendering: "before this run" ends a little before them.
  const beforeRun = new Date(
    Math.min(...collected.snapshots.map((s) => Date.parse(s.collectedAt)), end.getTime()) - 60_000,
  );
  try {
    const dayAgo = iso(new Date(end.getTime() - 86_400_000));
    const until = iso(new Date(end.getTime() + 3_600_000));
    const twoDaysBefore = iso(new Date(beforeRun.getTime() - 2 * 86_400_000));
    const [disk, previous, logins, load, memory, hosts, ports] = await Promise.all([
      influx.query(
        // Hourly: with live sampling a file system has thousands of points a day; the forecast
        // needs its trend, not every point.
        `SELECT last("used") FROM "disk" WHERE time > ${iso(new Date(end.getTime() - 30 * 86_400_000))} AND time < ${iso(beforeRun)} GROUP BY time(1h), "host", "path" fill(none)`,
      ),
      influx.query(
        `SELECT last("used_percent") FROM "disk" WHERE time > ${iso(new Date(end.getTime() - 3 * 86_400_000))} AND time < ${iso(beforeRun)} GROUP BY "host", "path"`,
      ),
      influx.query(
        `SELECT DISTINCT("source_ip") FROM "ssh_login" WHERE "result" = 'accepted' AND time > ${iso(new Date(start.getTime() - 90 * 86_400_000))} AND time < ${iso(start)} GROUP BY "host"`,
      ),
      influx.query(
        `SELECT mean("load1") FROM "system" WHERE time > ${dayAgo} AND time < ${until} GROUP BY time(1h), "host" fill(none)`,
      ),
      influx.query(
        `SELECT mean("used_percent") FROM "mem" WHERE time > ${dayAgo} AND time < ${until} GROUP BY time(1h), "host" fill(none)`,
      ),
      influx.query(
        `SELECT last(*) FROM "system" WHERE time > ${twoDaysBefore} AND time < ${iso(beforeRun)} GROUP BY "host"`,
      ),
      influx.query(
        `SELECT last("addresses") FROM "net_listen" WHERE time > ${twoDaysBefore} AND time < ${iso(beforeRun)} GROUP BY "host", "port", "protocol"`,
      ),
    ]);
    const history: ReportHistory = { ...noHistory(''), unavailable: null, loginHistoryKnown: true };
    const hourly = (series: typeof load, into: Map<string, { time: number; value: number }[]>) => {
      for (const s of series)
        into.set(
          s.tags['host'] ?? '',
          s.values.filter((v) => typeof v[1] === 'number').map((v) => ({ time: Number(v[0]), value: Number(v[1]) })),
        );
    };
    hourly(load, history.load24h);
    hourly(memory, history.memory24h);
    for (const series of disk) {
      const key = diskKey(series.tags['host'] ?? '', series.tags['path'] ?? '');
      history.diskSeries.set(
        key,
        series.values
          .filter((v) => typeof v[1] === 'number')
          .map((v) => ({ time: Number(v[0]), usedBytes: Number(v[1]) })),
      );
    }
    for (const series of previous) {
      const value = series.values[0]?.[1];
      if (typeof value === 'number')
        history.previousDiskPercent.set(diskKey(series.tags['host'] ?? '', series.tags['path'] ?? ''), value);
    }
    for (const series of logins) {
      history.knownSourceIps.set(series.tags['host'] ?? '', new Set(series.values.map((v) => String(v[1]))));
    }
    history.hostsBefore = new Set(hosts.map((series) => series.tags['host'] ?? ''));
    for (const series of ports) {
      const host = series.tags['host'] ?? '';
      const known = history.portsBefore.get(host) ?? new Set<string>();
      known.add(`${series.tags['port'] ?? ''}/${series.tags['protocol'] ?? ''}`);
      history.portsBefore.set(host, known);
    }
    return history;
  } catch (error) {
    logger.warn({ err: error }, 'cannot read history from InfluxDB');
    return noHistory(`history unavailable: ${(error as Error).message}`);
  }
}

export interface DiskForecast {
  daysUntilFull: number | null;
  /** Why there is no number, or how it was computed. */
  note: string;
}

const minimumHistoryDays = 3;

/**
 * Days until the filesystem is full at its recent growth: a least-squares line through the
 * used bytes of the last 30 days plus today's value. No number without at least three days
 * of history, or when usage is flat or shrinking.
 */
export function forecastDiskFull(
  points: { time: number; usedBytes: number }[],
  now: { time: number; usedBytes: number; availableBytes: number },
): DiskForecast {
  const all = [...points, { time: now.time, usedBytes: now.usedBytes }];
  const spanDays = (now.time - (all[0]?.time ?? now.time)) / 86_400_000;
  if (all.length < 3 || spanDays < minimumHistoryDays) {
    return {
      daysUntilFull: null,
      note: `too little history (${Math.max(0, Math.floor(spanDays))} of ${minimumHistoryDays} days)`,
    };
  }
  const n = all.length;
  const meanT = all.reduce((s, p) => s + p.time, 0) / n;
  const meanU = all.reduce((s, p) => s + p.usedBytes, 0) / n;
  const covariance = all.reduce((s, p) => s + (p.time - meanT) * (p.usedBytes - meanU), 0);
  const variance = all.reduce((s, p) => s + (p.time - meanT) ** 2, 0);
  const bytesPerDay = variance === 0 ? 0 : (covariance / variance) * 86_400_000;
  if (bytesPerDay <= 0) return { daysUntilFull: null, note: 'not growing' };
  return {
    daysUntilFull: Math.round((now.availableBytes / bytesPerDay) * 10) / 10,
    note: `+${formatBytes(bytesPerDay)}/day over ${Math.round(spanDays)} days`,
  };
}
