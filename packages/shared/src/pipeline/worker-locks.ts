import type { WorkerOptions } from 'bullmq';

type LockSettings = Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;

/**
 * How fast a job held by a worker that died (kill -9, OOM, node lost) goes back to the queue,
 * and how many such deaths a job survives. BullMQ renews a job's lock every lockDuration/2; a
 * lock that expires is found by the next stalled check, and the job is moved back to wait
 * without using one of its attempts (only failures use attempts). So a crash costs a host
 * lockDuration + stalledInterval, not an attempt, up to maxStalledCount crashes.
 */
export const workerLocks = {
  /** Collect jobs: the event loop is never blocked for long (parsing one host is milliseconds). Back in <= 12 s. */
  collect: { lockDuration: 8_000, stalledInterval: 4_000, maxStalledCount: 10 },
  /** Render jobs block the event loop while the PDF is laid out (17 s for 10,000 hosts): a long lock, or a healthy render would look dead. */
  render: { lockDuration: 90_000, stalledInterval: 15_000, maxStalledCount: 3 },
  /** Deliver jobs wait on SMTP (async): back in <= 15 s; the delivery ledger makes a retry safe. */
  deliver: { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 5 },
  /** Run deadlines and scheduled triggers: a few Redis calls each. */
  control: { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 5 },
} satisfies Record<string, LockSettings>;
