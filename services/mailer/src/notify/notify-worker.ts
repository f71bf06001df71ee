import { createHash } from 'node:crypto';
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { queueNames, type AlertEvent } from '@infra-report/shared';
import { deliveryJobError } from '../failure-kinds.js';
import {
  acceptAlert,
  alertsAfterSilences,
  alertmanagerValidForMs,
  flushAlerts,
  refreshAlertmanager,
  type AlertDispatchDependencies,
} from './alert-dispatch.js';

interface FlushJob {
  destination: string;
  due: number;
}
type NotifyJob = AlertEvent | FlushJob | Record<string, never>;

const refreshScheduler = 'alertmanager-refresh';
const silenceScheduler = 'silence-ends';

/**
 * The notify queue. An alert job (published by collectors and the renderer) goes to Alertmanager
 * and into each destination's outbox; the destination's flush is a delayed job with an id made
 * from its due time, so every alert of a round schedules the same one; the flush sends the batch
 * as one notification. With Alertmanager, a job scheduler posts firing alerts again.
 */
export async function startNotifyWorker(
  deps: AlertDispatchDependencies,
  connection: ConnectionOptions,
  prefix: string,
  onSent: (channel: string) => void = () => undefined,
): Promise<{ worker: Worker<NotifyJob, string[]>; close(): Promise<void> }> {
  const queue = new Queue<NotifyJob>(queueNames.notify, { connection, prefix });
  queue.on('error', () => undefined); // the worker reports Redis errors
  const scheduleFlush = async (destination: string, at: number) => {
    const id = createHash('sha256').update(`${destination}@${at}`).digest('hex').slice(0, 32);
    await queue.add(
      'flush',
      { destination, due: at },
      {
        jobId: `flush-${id}`,
        delay: Math.max(0, at - Date.now()),
        attempts: 8,
        backoff: { type: 'exponential', delay: 10_000 },
        removeOnComplete: { age: 86400 },
        removeOnFail: { age: 30 * 86400 },
      },
    );
  };
  const worker = new Worker<NotifyJob, string[]>(
    queueNames.notify,
    async (job: Job<NotifyJob>) => {
      try {
        if (job.name === 'flush') {
          const { destination, due } = job.data as FlushJob;
          const channel = await flushAlerts(destination, due, deps);
          if (channel) onSent(channel);
          return channel ? [channel] : [];
        }
        if (job.name === refreshScheduler) {
          await refreshAlertmanager(deps, alertmanagerValidForMs(deps.config));
          return ['alertmanager'];
        }
        if (job.name === silenceScheduler) {
          const told: string[] = [];
          for (const event of await alertsAfterSilences(deps))
            for (const { destination, at } of await acceptAlert(event, deps)) {
              await scheduleFlush(destination, at);
              told.push(destination);
            }
          return told;
        }
        const due = await acceptAlert(job.data as AlertEvent, deps);
        for (const { destination, at } of due) await scheduleFlush(destination, at);
        return due.map((d) => d.destination);
      } catch (error) {
        throw deliveryJobError(error);
      }
    },
    { connection, prefix, concurrency: 4 },
  );
  // Flushes lost between an outbox write and its job (a crash there) are scheduled again.
  for (const { destination, at } of await deps.outbox.due()) await scheduleFlush(destination, at);
  // Alerts held back by a silence that has ended, and still firing, are told then.
  await queue.upsertJobScheduler(silenceScheduler, { every: 30_000 }, { name: silenceScheduler });
  const { alertmanager } = deps.config.notify;
  if (alertmanager)
    await queue.upsertJobScheduler(
      refreshScheduler,
      { every: alertmanager.resendSeconds * 1000 },
      { name: refreshScheduler },
    );
  else await queue.removeJobScheduler(refreshScheduler);
  return {
    worker,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
