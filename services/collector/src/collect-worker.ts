import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import {
  compactLogins,
  queueNames,
  withFailureKind,
  type CollectJobData,
  type Config,
  type HostSnapshot,
  workerLocks,
} from '@infra-report/shared';
import { collectHost, type CollectDependencies } from './collect-host.js';
import { CollectionError } from './command-runner.js';

/** Maps a collect job to the handler; retry policy lives here, business logic in collectHost. */
export function createCollectProcessor(config: Config, deps: CollectDependencies) {
  return async (job: Job<CollectJobData>): Promise<HostSnapshot> => {
    const host = config.hosts.find((h) => h.name === job.data.hostName);
    if (!host)
      throw new UnrecoverableError(
        `host ${job.data.hostName} is not in the collector's configuration (${config.source})`,
      );
    try {
      // InfluxDB has every attempt at its time; the renderer gets them merged per source and user.
      return compactLogins(
        await collectHost(host, job.data.run, {
          ...deps,
          bruteForceAttempts: config.report.thresholds.brute_force_attempts,
        }),
      );
    } catch (error) {
      if (error instanceof CollectionError) {
        deps.logger.warn({ host: host.name, attempt: job.attemptsMade + 1, reason: error.reason }, 'collection failed');
        // Authentication and host key failures do not heal by retrying.
        // The kind goes with the error to the worker's 'failed' event: the metrics count it.
        if (error.permanent) throw withFailureKind(new UnrecoverableError(error.reason), error.kind);
        throw withFailureKind(new Error(error.reason, { cause: error }), error.kind);
      }
      throw error;
    }
  };
}

export function startCollectWorker(
  config: Config,
  deps: CollectDependencies,
  connection: ConnectionOptions,
): Worker<CollectJobData, HostSnapshot> {
  return new Worker<CollectJobData, HostSnapshot>(queueNames.collect, createCollectProcessor(config, deps), {
    connection,
    prefix: config.redis?.prefix ?? 'infra-report',
    concurrency: config.collector.concurrency,
    ...workerLocks.collect,
  });
}
