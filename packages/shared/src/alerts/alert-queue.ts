import { createHash } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import { queueNames } from '../run.js';
import type { AlertEvent } from './alert-event.js';

/**
 * Alerts and recoveries go to the notify queue, which the mailer delivers (with retries). The
 * job id is derived from the event's id, so an event published twice is delivered once.
 */
export function createQueuedAlertPublisher(
  connection: ConnectionOptions,
  prefix: string,
): { publish(events: AlertEvent[]): Promise<void>; close(): Promise<void> } {
  const queue = new Queue<AlertEvent>(queueNames.notify, { connection, prefix });
  queue.on('error', () => undefined); // a Redis outage fails publish(), which the caller logs
  return {
    async publish(events) {
      await queue.addBulk(
        events.map((event) => ({
          name: event.kind,
          data: event,
          opts: {
            jobId: createHash('sha256').update(event.id).digest('hex').slice(0, 40),
            attempts: 8,
            backoff: { type: 'exponential', delay: 10_000 },
            removeOnComplete: { age: 7 * 86400 },
            removeOnFail: { age: 30 * 86400 },
          },
        })),
      );
    },
    close: () => queue.close(),
  };
}
