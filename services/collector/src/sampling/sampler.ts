import { randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import {
  conditionsFor,
  evaluateAlerts,
  resourceConditions,
  rulesOn,
  unreachableCondition,
  type AlertCondition,
  type AlertEvent,
  type AlertRuleName,
  type AlertStateStore,
  type Config,
  type InfluxStore,
  type Logger,
  type ResolvedHost,
} from '@infra-report/shared';
import { CollectionError } from '../command-runner.js';
import { resourcePoints } from '../points.js';
import { parseSample, sampleScript, type HostSample } from './sample-script.js';
import type { SessionPool } from './session-pool.js';

export interface SamplerDependencies {
  config: Config;
  pool: SessionPool;
  influx: InfluxStore | undefined;
  alertState: AlertStateStore;
  /** Sends (one process) or enqueues (services) the alerts and recoveries of a round. */
  publish(events: AlertEvent[]): Promise<void>;
  now(): Date;
  logger: Logger;
  /** The hosts this sampler is responsible for now: all of them in one process, its share in the services. */
  hosts(): Promise<ResolvedHost[]>;
  /** Told each host round's outcome and the collector CPU time it took (for metrics and benchmarks). */
  observe?(outcome: 'ok' | 'failed', cpuSeconds: number): void;
}

/**
 * Samples hosts every sample interval over connections kept open, writes the Telegraf-named
 * points, and evaluates the immediate alerts on every round.
 */
export class Sampler {
  private readonly cpuCounters = new Map<string, string>();
  private readonly nextDue = new Map<string, number>();
  private readonly roundsDone = new Map<string, number>();
  private stopped = false;
  private lastHosts: ResolvedHost[] = [];
  private wake: (() => void) | undefined;
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(private readonly deps: SamplerDependencies) {
    this.limit = pLimit(deps.config.collector.concurrency);
  }

  /** Samples until stop(), or until every host has had `rounds` rounds. */
  async run(rounds?: number): Promise<void> {
    let lastReap = Date.now();
    while (!this.stopped) {
      const hosts = await this.deps.hosts().catch((error: Error) => {
        this.deps.logger.warn({ err: error }, 'cannot tell which hosts to sample (Redis?): keeping the last ones');
        return this.lastHosts;
      });
      this.lastHosts = hosts;
      await this.deps.pool.retain(new Set(hosts.map((h) => h.name)));
      const now = Date.now();
      const due = hosts.filter((h) => (this.nextDue.get(h.name) ?? 0) <= now && !this.finished(h, rounds));
      await Promise.all(due.map((host) => this.limit(() => this.sampleOnce(host))));
      if (rounds !== undefined && hosts.every((h) => this.finished(h, rounds))) break;
      if (Date.now() - lastReap > 10_000) {
        lastReap = Date.now();
        await this.deps.pool.reapIdle();
      }
      // Sleep until the next host is due (at most a second: new hosts, stop()).
      const next = Math.min(
        ...hosts.filter((h) => !this.finished(h, rounds)).map((h) => this.nextDue.get(h.name) ?? 0),
        Date.now() + 1000,
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, next - Date.now()));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private finished(host: ResolvedHost, rounds: number | undefined): boolean {
    return rounds !== undefined && (this.roundsDone.get(host.name) ?? 0) >= rounds;
  }

  /** One round of one host: never throws (a failure is the host's, counted and alerted). */
  async sampleOnce(host: ResolvedHost): Promise<HostSample | null> {
    const { deps } = this;
    const intervalMs = host.sampleIntervalSeconds * 1000;
    const scheduled = this.nextDue.get(host.name) ?? Date.now();
    const cpuStart = process.cpuUsage();
    const { thresholds } = deps.config.report;
    let sample: HostSample | null = null;
    let events: AlertEvent[] = [];
    try {
      try {
        sample = await this.read(host);
      } catch (error) {
        // Only the host's own failure counts towards "unreachable": not InfluxDB, not Redis.
        await deps.pool.drop(host.name);
        const reason = error instanceof CollectionError ? error.reason : (error as Error).message;
        const failures = await deps.alertState.countFailure(host.name).catch(() => 1);
        // Reconnect with backoff: the interval, or longer after repeated failures (at most 10 intervals).
        const backoff = deps.config.sample.reconnect_backoff_seconds * 1000 * 2 ** Math.min(failures - 1, 10);
        this.nextDue.set(host.name, Date.now() + Math.min(Math.max(intervalMs, backoff), intervalMs * 10));
        deps.logger.warn({ host: host.name, failures, reason }, 'sampling failed');
        events = await this.evaluate(
          host,
          [unreachableCondition(failures, reason, thresholds)],
          rulesOn(deps.config.alerts, 'sampling').filter((r) => r === 'unreachable'),
          deps.now(),
        );
      }
      if (sample) {
        this.nextDue.set(host.name, Math.max(scheduled + intervalMs, Date.now() + intervalMs / 2));
        await deps.influx
          ?.writePoints(resourcePoints({ ...sample, host: host.name }))
          .catch((error: Error) =>
            deps.logger.error({ host: host.name, err: error }, 'cannot write samples to InfluxDB'),
          );
        await deps.alertState
          .resetFailures(host.name)
          .catch((error: Error) =>
            deps.logger.error({ host: host.name, err: error }, 'cannot reset the failure count'),
          );
        events = await this.evaluate(
          host,
          [...resourceConditions(sample, thresholds), unreachableCondition(0, '', thresholds)],
          rulesOn(deps.config.alerts, 'sampling'),
          sample.at,
        );
      }
    } finally {
      this.roundsDone.set(host.name, (this.roundsDone.get(host.name) ?? 0) + 1);
      const used = process.cpuUsage(cpuStart);
      deps.observe?.(sample ? 'ok' : 'failed', (used.user + used.system) / 1e6);
    }
    if (events.length > 0)
      await deps.publish(events).catch((error: Error) => deps.logger.error({ err: error }, 'cannot publish alerts'));
    return sample;
  }

  /** The round's alerts; a failure to evaluate them (Redis) is logged, never the host's. */
  private evaluate(host: ResolvedHost, conditions: AlertCondition[], rules: AlertRuleName[], now: Date) {
    const { deps } = this;
    if (rules.length === 0) return Promise.resolve([] as AlertEvent[]);
    return evaluateAlerts(
      {
        host: host.name,
        groups: host.groups,
        conditions: conditionsFor(deps.config.alerts, 'sampling', conditions),
        rules,
        now,
        source: 'sampling',
        intervalMs: host.sampleIntervalSeconds * 1000,
      },
      deps.alertState,
      deps.config.alerts,
    ).catch((error: Error) => {
      deps.logger.error({ host: host.name, err: error }, 'cannot evaluate alerts');
      return [] as AlertEvent[];
    });
  }

  private async read(host: ResolvedHost): Promise<HostSample> {
    const session = await this.deps.pool.acquire(host);
    const nonce = randomBytes(12).toString('hex');
    const result = await session.runner.run(sampleScript(nonce), {
      timeoutMs: Math.min(host.ssh.commandTimeoutMs, Math.max(host.sampleIntervalSeconds * 2000, 10_000)),
      maxBytes: 4 * 1024 * 1024,
      firstOutputTimeoutMs: host.ssh.connectTimeoutMs,
    });
    session.rounds += 1;
    const output = result.stdout.toString('utf8');
    if (!output.includes(`@@ir-${nonce}@@ begin`))
      throw new CollectionError(
        'command',
        `sampling commands did not run on ${host.name} (exit status ${result.exitCode ?? 'unknown'})`,
        false,
      );
    const sample = parseSample(host.name, output, nonce, this.deps.now(), this.cpuCounters.get(host.name) ?? null);
    if (sample.cpuCounters) this.cpuCounters.set(host.name, sample.cpuCounters);
    return sample;
  }
}
