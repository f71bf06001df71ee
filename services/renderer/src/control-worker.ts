import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  deadlineReasonsKey,
  enqueueRun,
  queueNames,
  workerLocks,
  type Config,
  type ControlJobData,
  type Logger,
  type RenderJobData,
} from '@infra-report/shared';

export interface ControlDependencies {
  config: Config;
  redis: Redis;
  prefix: string;
  logger: Logger;
  /** Called with the number of hosts a run's deadline gave up on. */
  onDeadline?: (hostsGivenUp: number) => void;
}

/**
 * A run's deadline: if its render job still waits for collect jobs, each unfinished one is
 * detached from the run (and removed unless a worker holds it), with the reason recorded for
 * the report. The render job then runs at once with what it has.
 */
export async function enforceRunDeadline(
  runId: string,
  deadline: string,
  deps: ControlDependencies,
): Promise<{ hostsGivenUp: string[] }> {
  const connection: ConnectionOptions = deps.redis;
  const render = new Queue<RenderJobData>(queueNames.render, { connection, prefix: deps.prefix });
  const collect = new Queue(queueNames.collect, { connection, prefix: deps.prefix });
  try {
    const job = await render.getJob(runId);
    if (!job || (await job.getState()) !== 'waiting-children') return { hostsGivenUp: [] };
    const minutes = deps.config.pipeline.run_deadline_minutes;
    const { unprocessed = [] } = await job.getDependencies({ unprocessed: { count: 100_000 } });
    const hostsGivenUp: string[] = [];
    for (const key of unprocessed) {
      const child = await collect.getJob(key.slice(key.lastIndexOf(':') + 1));
      if (!child) continue;
      const state = await child.getState();
      if (state === 'completed' || state === 'failed') continue;
      const host = (child.data as { hostName?: string }).hostName ?? child.id ?? key;
      const history =
        child.attemptsMade > 0 ? ` after ${child.attemptsMade} failed attempt(s), the last: ${child.failedReason}` : '';
      await deps.redis.hset(
        deadlineReasonsKey(deps.prefix, runId),
        host,
        `not collected by the run deadline (${deadline}, ${minutes} min after the run started): its collect job was still ${state}${history}`,
      );
      await deps.redis.expire(deadlineReasonsKey(deps.prefix, runId), 400 * 86400);
      await child.removeChildDependency();
      // A job no worker holds is removed; an active one finishes into nothing (its run has moved on).
      if (state !== 'active') await child.remove().catch(() => undefined);
      hostsGivenUp.push(host);
    }
    if (hostsGivenUp.length > 0) {
      deps.logger.warn(
        { run: runId, hosts: hostsGivenUp, deadline },
        'run deadline reached: rendering without these hosts',
      );
      deps.onDeadline?.(hostsGivenUp.length);
    }
    return { hostsGivenUp };
  } finally {
    await Promise.all([render.close(), collect.close()]);
  }
}

export function createControlProcessor(deps: ControlDependencies) {
  return async (job: Job<ControlJobData>): Promise<unknown> => {
    const data = job.data;
    switch (data.kind) {
      case 'run-deadline':
        return enforceRunDeadline(data.runId, data.deadline, deps);
      case 'scheduled-trigger': {
        // The run is dated by when the schedule fired, even if this worker takes it up later.
        const firedAt = new Date(job.timestamp + (job.delay ?? 0));
        const outcome = await enqueueRun(deps.config, deps.redis, { groups: data.groups, hosts: data.hosts }, firedAt);
        deps.logger.info({ run: outcome.run.runId, created: outcome.created }, 'scheduled run triggered');
        return { runId: outcome.run.runId, created: outcome.created };
      }
    }
  };
}

export function startControlWorker(deps: ControlDependencies, connection: ConnectionOptions): Worker<ControlJobData> {
  return new Worker<ControlJobData>(queueNames.control, createControlProcessor(deps), {
    connection,
    prefix: deps.prefix,
    concurrency: 4,
    ...workerLocks.control,
  });
}
