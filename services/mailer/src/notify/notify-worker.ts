import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import { queueNames, withFailureKind, type AlertEvent } from '@infra-report/shared';
import { deliveryFailureKind } from '../failure-kinds.js';
import { deliverAlert, type AlertDeliveryDependencies } from './deliver-alert.js';

/** The notify queue: each alert or recovery to its email and webhooks, retried on failure. */
export function startNotifyWorker(
  deps: AlertDeliveryDependencies,
  connection: ConnectionOptions,
  prefix: string,
): Worker<AlertEvent, string[]> {
  return new Worker<AlertEvent, string[]>(
    queueNames.notify,
    async (job: Job<AlertEvent>) => {
      try {
        return await deliverAlert(job.data, deps);
      } catch (error) {
        const kind = deliveryFailureKind(error as Error & { code?: string });
        throw kind ? withFailureKind(error as Error, kind) : error;
      }
    },
    { connection, prefix, concurrency: 4 },
  );
}
