import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import {
  queueNames,
  type DeliverJobData,
  type DeliverResult,
  type RenderResult,
  workerLocks,
} from '@infra-report/shared';
import { deliverRun, type DeliverDependencies } from './deliver-run.js';
import { deliveryJobError } from './failure-kinds.js';

/** The deliver job is the parent of the render job: its one child value is the render result. */
export function createDeliverProcessor(deps: DeliverDependencies) {
  return async (job: Job<DeliverJobData>): Promise<DeliverResult> => {
    const values = Object.values(await job.getChildrenValues<RenderResult>());
    const rendered = values.find((v) => v.run.runId === job.data.run.runId);
    if (!rendered) throw new Error(`run ${job.data.run.runId} has no rendered report to deliver`);
    try {
      return await deliverRun(rendered, deps);
    } catch (error) {
      throw deliveryJobError(error);
    }
  };
}

export function startDeliverWorker(
  deps: DeliverDependencies,
  connection: ConnectionOptions,
  prefix: string,
): Worker<DeliverJobData, DeliverResult> {
  return new Worker<DeliverJobData, DeliverResult>(queueNames.deliver, createDeliverProcessor(deps), {
    connection,
    prefix,
    concurrency: 1,
    ...workerLocks.deliver,
  });
}
