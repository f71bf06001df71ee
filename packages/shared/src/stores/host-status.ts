import type { Redis } from 'ioredis';
import type { HostSnapshot } from '../snapshot.js';

/** What the API tells of a host: its last collection, summarised, and its last failure. */
export interface HostStatus {
  host: string;
  /** The outcome of the host's last collect attempt. */
  state: 'reported' | 'failed';
  lastAttemptAt: string;
  lastRunId: string;
  /** The last attempt's failure, when it failed (the run may still retry it). */
  failure: { reason: string; kind: string; final: boolean } | null;
  /** The last successful collection, even when a later attempt failed. */
  lastReport: HostReportSummary | null;
}

export interface HostReportSummary {
  runId: string;
  collectedAt: string;
  os: string | null;
  kernel: string | null;
  cpuCount: number | null;
  uptimeSeconds: number | null;
  load1: number | null;
  cpuUsedPercent: number | null;
  memoryUsedPercent: number | null;
  /** The fullest filesystem. */
  fullestFilesystem: { mount: string; usedPercent: number } | null;
  failedLogins: number;
  acceptedLogins: number;
  failedUnits: number | null;
  securityFindings: { critical: number; warning: number };
  /** Marked gaps in the collection. */
  problems: number;
  sshLatencyMs: number | null;
}

export function summarizeSnapshot(snapshot: HostSnapshot, runId: string): HostReportSummary {
  const fullest = [...snapshot.filesystems].sort((a, b) => b.usedPercent - a.usedPercent)[0];
  return {
    runId,
    collectedAt: snapshot.collectedAt,
    os: snapshot.os.prettyName,
    kernel: snapshot.os.kernel,
    cpuCount: snapshot.cpuCount,
    uptimeSeconds: snapshot.uptimeSeconds,
    load1: snapshot.load?.one ?? null,
    cpuUsedPercent: snapshot.cpu?.usagePercent ?? null,
    memoryUsedPercent: snapshot.memory?.usedPercent ?? null,
    fullestFilesystem: fullest ? { mount: fullest.mount, usedPercent: fullest.usedPercent } : null,
    failedLogins: snapshot.logins.failed.reduce((n, f) => n + f.count, 0),
    acceptedLogins: snapshot.logins.accepted.length,
    failedUnits: snapshot.failedUnits?.length ?? null,
    securityFindings: {
      critical: snapshot.security.filter((f) => f.severity === 'critical').length,
      warning: snapshot.security.filter((f) => f.severity === 'warning').length,
    },
    problems: snapshot.problems.length,
    sshLatencyMs: snapshot.sshLatencyMs,
  };
}

/** One Redis hash, host name → status JSON; written by the collectors, read by the API. */
export interface HostStatusStore {
  reported(snapshot: HostSnapshot, runId: string, at: Date): Promise<void>;
  failed(host: string, runId: string, failure: NonNullable<HostStatus['failure']>, at: Date): Promise<void>;
  all(): Promise<Map<string, HostStatus>>;
  get(host: string): Promise<HostStatus | null>;
}

export function createRedisHostStatusStore(redis: Redis, prefix: string): HostStatusStore {
  const key = `${prefix}:host-status`;
  const parse = (text: string | null | undefined): HostStatus | null => {
    if (!text) return null;
    try {
      return JSON.parse(text) as HostStatus;
    } catch {
      return null; // a damaged entry is as good as none; the next collection rewrites it
    }
  };
  return {
    async reported(snapshot, runId, at) {
      const status: HostStatus = {
        host: snapshot.host,
        state: 'reported',
        lastAttemptAt: at.toISOString(),
        lastRunId: runId,
        failure: null,
        lastReport: summarizeSnapshot(snapshot, runId),
      };
      await redis.hset(key, snapshot.host, JSON.stringify(status));
    },
    async failed(host, runId, failure, at) {
      const earlier = parse(await redis.hget(key, host));
      const status: HostStatus = {
        host,
        state: 'failed',
        lastAttemptAt: at.toISOString(),
        lastRunId: runId,
        failure,
        lastReport: earlier?.lastReport ?? null,
      };
      await redis.hset(key, host, JSON.stringify(status));
    },
    async all() {
      const entries = await redis.hgetall(key);
      const statuses = new Map<string, HostStatus>();
      for (const [host, text] of Object.entries(entries)) {
        const status = parse(text);
        if (status) statuses.set(host, status);
      }
      return statuses;
    },
    async get(host) {
      return parse(await redis.hget(key, host));
    },
  };
}
