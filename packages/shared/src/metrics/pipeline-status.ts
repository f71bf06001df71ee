import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import { queueNames, type RenderResult, type RunSpec } from '../run.js';

/**
 * The pipeline's last outcomes, kept in Redis (one hash) rather than in a process: every
 * service exports the same values, and a restarted or rescheduled pod does not forget that the
 * morning report went out (which would fire "no report delivered" falsely).
 */
export function pipelineStatusKey(prefix: string): string {
  return `${prefix}:pipeline-status`;
}

const seconds = (at: Date) => String(Math.round(at.getTime() / 1000));
const sinceTrigger = (run: RunSpec, at: Date) =>
  String(Math.max(0, Math.round((at.getTime() - Date.parse(run.windowEnd)) / 1000)));

/** A host's collection finished. */
export async function recordCollected(redis: Redis, prefix: string, at: Date): Promise<void> {
  await redis.hset(pipelineStatusKey(prefix), 'collect_at', seconds(at));
}

/** A run was rendered: its host counts, and whether every host reported. */
export async function recordRendered(redis: Redis, prefix: string, result: RenderResult, at: Date): Promise<void> {
  const { summary, run } = result;
  await redis.hset(pipelineStatusKey(prefix), {
    render_at: seconds(at),
    ...(summary.hostsUnreachable === 0 ? { complete_run_at: seconds(at) } : {}),
    last_run_hosts_reported: String(summary.hostsReporting),
    last_run_hosts_unreachable: String(summary.hostsUnreachable),
    last_run_render_seconds: sinceTrigger(run, at),
  });
}

/** A run's email went out (not counted again when a retry finds it delivered already). */
export async function recordDelivered(redis: Redis, prefix: string, run: RunSpec, at: Date): Promise<void> {
  await redis.hset(pipelineStatusKey(prefix), {
    delivery_at: seconds(at),
    last_run_delivery_seconds: sinceTrigger(run, at),
  });
}

const queueStates = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed', 'waiting-children'] as const;

/**
 * Gauges read from Redis at scrape time: queue depths, last successes, the last run's hosts.
 * Returns a close() for the queue handles it opens.
 */
export function registerPipelineStatusMetrics(
  registry: Registry,
  redis: Redis,
  prefix: string,
): { close(): Promise<void> } {
  const queues = Object.values(queueNames).map((name) => new Queue(name, { connection: redis, prefix }));
  // A Redis outage shows as a failed scrape of these gauges (and in the logs), not as a crash.
  for (const queue of queues) queue.on('error', () => undefined);
  let status: Promise<Record<string, string>> | undefined;
  // The three status gauges of one scrape share one HGETALL.
  const readStatus = () => {
    status ??= redis
      .hgetall(pipelineStatusKey(prefix))
      .finally(() => setTimeout(() => (status = undefined), 500).unref());
    return status;
  };
  const setFrom = (gauge: Gauge, labels: Record<string, string>, value: string | undefined) => {
    if (value !== undefined && value !== '') gauge.set(labels, Number(value));
  };

  new Gauge({
    name: 'infra_report_queue_jobs',
    help: 'Jobs in each pipeline queue by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const queue of queues) {
        const counts = await queue.getJobCounts(...queueStates);
        for (const state of queueStates) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'infra_report_last_success_timestamp_seconds',
    help: 'When the pipeline last succeeded at a stage: collect (a host), render, complete_run (rendered with every host reporting), delivery',
    labelNames: ['stage'],
    registers: [registry],
    async collect() {
      const s = await readStatus();
      for (const stage of ['collect', 'render', 'complete_run', 'delivery']) setFrom(this, { stage }, s[`${stage}_at`]);
    },
  });
  new Gauge({
    name: 'infra_report_last_run_hosts',
    help: 'Hosts of the last rendered run, by outcome (reported, unreachable)',
    labelNames: ['outcome'],
    registers: [registry],
    async collect() {
      const s = await readStatus();
      setFrom(this, { outcome: 'reported' }, s['last_run_hosts_reported']);
      setFrom(this, { outcome: 'unreachable' }, s['last_run_hosts_unreachable']);
    },
  });
  new Gauge({
    name: 'infra_report_last_run_duration_seconds',
    help: 'Time from the last run being triggered to its report being rendered, and delivered',
    labelNames: ['stage'],
    registers: [registry],
    async collect() {
      const s = await readStatus();
      setFrom(this, { stage: 'render' }, s['last_run_render_seconds']);
      setFrom(this, { stage: 'delivery' }, s['last_run_delivery_seconds']);
    },
  });
  return {
    async close() {
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}
