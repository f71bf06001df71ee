import type { Job, Worker } from 'bullmq';
import { Counter, Histogram, type Registry } from 'prom-client';
import { failureKindOf } from './failure-kinds.js';

const durationBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export interface JobMetrics {
  /** Counts and times every job the worker finishes, by queue, outcome and failure kind. */
  instrument(worker: Worker, queue: string): void;
}

/**
 * Job outcomes for Prometheus: `completed`; `retried` (this attempt failed, another will come);
 * `failed` (no attempt left, or a failure that retrying cannot heal).
 */
export function createJobMetrics(registry: Registry): JobMetrics {
  const jobs = new Counter({
    name: 'infra_report_jobs_total',
    help: 'Job attempts finished by this worker, by queue, outcome (completed, retried, failed) and failure kind',
    labelNames: ['queue', 'outcome', 'failure_kind'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'infra_report_job_duration_seconds',
    help: 'Time one job attempt took in this worker, by queue and outcome',
    labelNames: ['queue', 'outcome'],
    buckets: durationBuckets,
    registers: [registry],
  });
  const stalled = new Counter({
    name: 'infra_report_jobs_stalled_total',
    help: 'Jobs whose worker died or hung while holding them: put back in the queue',
    labelNames: ['queue'],
    registers: [registry],
  });
  return {
    instrument(worker, queue) {
      // Per attempt, in this process: BullMQ's timestamps do not tell a retried attempt's length.
      const started = new Map<string, number>();
      const elapsed = (job: Job | undefined) => {
        const id = job?.id;
        const since = id === undefined ? undefined : started.get(id);
        if (id !== undefined) started.delete(id);
        return since === undefined ? undefined : (performance.now() - since) / 1000;
      };
      worker.on('active', (job: Job) => {
        if (job.id !== undefined) started.set(job.id, performance.now());
      });
      worker.on('completed', (job: Job) => {
        jobs.inc({ queue, outcome: 'completed', failure_kind: 'none' });
        const seconds = elapsed(job);
        if (seconds !== undefined) duration.observe({ queue, outcome: 'completed' }, seconds);
      });
      worker.on('failed', (job: Job | undefined, error: Error) => {
        const outcome = job && willRetry(job, error) ? 'retried' : 'failed';
        jobs.inc({ queue, outcome, failure_kind: failureKindOf(error) });
        const seconds = elapsed(job);
        if (seconds !== undefined) duration.observe({ queue, outcome }, seconds);
      });
      worker.on('stalled', () => stalled.inc({ queue }));
    },
  };
}

/** BullMQ has counted this attempt by the time it emits 'failed'. */
export function willRetry(job: Job, error: Error): boolean {
  if (error.name === 'UnrecoverableError') return false;
  return job.attemptsMade < (job.opts.attempts ?? 1);
}
