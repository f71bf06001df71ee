import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import {
  queueNames,
  withFailureKind,
  type DeliverJobData,
  type DeliverResult,
  type RenderResult,
  workerLocks,
} from '@infra-report/shared';
import { deliverRun, type DeliverDependencies } from './deliver-run.js';
import { deliveryFailureKind } from './failure-kinds.js';

/** The deliver job is the parent of the render job: its one child value is the render result. */
export function createDeliverProcessor(deps: DeliverDependencies) {
  return async (job: Job<DeliverJobData>): Promise<DeliverResult> => {
    const values = Object.values(await job.getChildrenValues<RenderResult>());
    const rendered = values.find((v) => v.run.runId === job.data.run.runId);
    if (!rendered) throw new Error(`run ${job.data.run.runId} has no rendered report to deliver`);
    try {
      return await deliverRun(rendered, deps);
    } catch (error) {
      const kind = deliveryFailureKind(error as Error & { code?: string; responseCode?: number });
      throw kind ? withFailureKind(error as Error, kind) : error;
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
