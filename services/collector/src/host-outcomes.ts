import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  failureKindOf,
  recordCollected,
  willRetry,
  type CollectJobData,
  type HostSnapshot,
  type HostStatusStore,
  type Logger,
} from '@infra-report/shared';

/**
 * Keeps each host's last outcome (for GET /v1/hosts) and the pipeline's last collection (for
 * Prometheus) in Redis. A failure to record is logged: it never fails the collection.
 */
export function trackHostOutcomes(
  worker: Worker<CollectJobData, HostSnapshot>,
  deps: { hostStatus: HostStatusStore; redis: Redis; prefix: string; logger: Logger; now(): Date },
): void {
  const { hostStatus, logger } = deps;
  const logged = (error: Error) => logger.warn({ err: error }, 'cannot record the host status');
  worker.on('completed', (job: Job<CollectJobData, HostSnapshot>, snapshot: HostSnapshot) => {
    const at = deps.now();
    hostStatus.reported(snapshot, job.data.run.runId, at).catch(logged);
    recordCollected(deps.redis, deps.prefix, at).catch(logged);
  });
  worker.on('failed', (job: Job<CollectJobData, HostSnapshot> | undefined, error: Error) => {
    if (!job) return;
    hostStatus
      .failed(
        job.data.hostName,
        job.data.run.runId,
        { reason: error.message, kind: failureKindOf(error), final: !willRetry(job, error) },
        deps.now(),
      )
      .catch(logged);
  });
}
