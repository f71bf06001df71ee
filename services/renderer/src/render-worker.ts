import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  deadlineReasonsKey,
  queueNames,
  type HostFailure,
  type HostSnapshot,
  type RenderJobData,
  type RenderResult,
  workerLocks,
} from '@infra-report/shared';
import { renderRun, type RenderDependencies } from './render-run.js';

/**
 * The render job runs once every collect child has completed or finally failed. Completed
 * children give snapshots; failed ones (ignoreDependencyOnFailure) give the reason.
 */
export function createRenderProcessor(deps: RenderDependencies, prefix: string, redis?: Redis) {
  return async (job: Job<RenderJobData>): Promise<RenderResult> => {
    const values = await job.getChildrenValues<HostSnapshot>();
    const failuresByKey = await job.getIgnoredChildrenFailures();
    const givenUp = redis ? await redis.hgetall(deadlineReasonsKey(prefix, job.data.run.runId)) : {};
    const snapshots: HostSnapshot[] = [];
    const failures: HostFailure[] = [];
    for (const host of job.data.hosts) {
      const key = `${prefix}:${queueNames.collect}:${host.collectJobId}`;
      const snapshot = values[key];
      if (snapshot) {
        snapshots.push(snapshot);
        continue;
      }
      failures.push({
        host: host.name,
        address: host.address,
        groups: host.groups,
        reason:
          failuresByKey[key] ??
          givenUp[host.name] ??
          'no result from the collector (the collect job was removed before it finished)',
      });
    }
    return renderRun({ run: job.data.run, snapshots, failures }, deps);
  };
}

export function startRenderWorker(
  deps: RenderDependencies,
  redis: Redis,
  prefix: string,
): Worker<RenderJobData, RenderResult> {
  const connection: ConnectionOptions = redis;
  return new Worker<RenderJobData, RenderResult>(queueNames.render, createRenderProcessor(deps, prefix, redis), {
    connection,
    prefix,
    concurrency: 2,
    ...workerLocks.render,
  });
}
