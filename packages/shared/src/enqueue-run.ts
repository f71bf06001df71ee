import { FlowProducer, Queue, type ConnectionOptions } from 'bullmq';
import type { Config } from './config/load.js';
import { InvalidRequestError } from './errors.js';
import {
  collectJobId,
  planRun,
  queueNames,
  runDeadline,
  type CollectJobData,
  type ControlJobData,
  type DeliverJobData,
  type RenderJobData,
  type RunScope,
  type RunSpec,
} from './run.js';

export interface EnqueueOutcome {
  run: RunSpec;
  /** False when the run already existed: a second trigger changes nothing. */
  created: boolean;
  /** State of the run's deliver job (the root of the flow). */
  state: string;
  hosts: number;
}

const keepFor = (config: Config) => ({ age: config.artifacts.retentionSeconds });

/**
 * Enqueues a run as one BullMQ flow: deliver ← render ← one collect per host. Every job id is
 * derived from the run id, so triggering the same run twice is a no-op.
 */
export async function enqueueRun(
  config: Config,
  connection: ConnectionOptions,
  scope: RunScope,
  now: Date,
  reportDate?: string,
): Promise<EnqueueOutcome> {
  const prefix = config.redis?.prefix ?? 'infra-report';
  const { spec, hosts } = planRun(config, scope, now, reportDate);
  if (hosts.length === 0) throw new InvalidRequestError('the run has no hosts: add hosts to the configuration');
  const deliverQueue = new Queue<DeliverJobData>(queueNames.deliver, { connection, prefix });
  const flows = new FlowProducer({ connection, prefix });
  const controlQueue = new Queue<ControlJobData>(queueNames.control, { connection, prefix });
  try {
    const existing = await deliverQueue.getJob(spec.runId);
    if (existing) {
      return { run: existing.data.run, created: false, state: await existing.getState(), hosts: hosts.length };
    }
    const retention = { removeOnComplete: keepFor(config), removeOnFail: keepFor(config) };
    const runHosts = hosts.map((h) => ({
      name: h.name,
      address: h.address,
      groups: h.groups,
      collectJobId: collectJobId(spec.runId, h.name),
    }));
    await flows.add({
      name: 'deliver',
      queueName: queueNames.deliver,
      data: { run: spec } satisfies DeliverJobData,
      opts: {
        jobId: spec.runId,
        attempts: 5,
        backoff: { type: 'exponential', delay: config.pipeline.deliver_backoff_seconds * 1000 },
        ...retention,
      },
      children: [
        {
          name: 'render',
          queueName: queueNames.render,
          data: { run: spec, hosts: runHosts } satisfies RenderJobData,
          opts: {
            jobId: spec.runId,
            attempts: 3,
            backoff: { type: 'exponential', delay: 10_000 },
            failParentOnFailure: true,
            ...retention,
          },
          children: runHosts.map((host) => ({
            name: 'collect',
            queueName: queueNames.collect,
            data: { run: spec, hostName: host.name } satisfies CollectJobData,
            opts: {
              jobId: host.collectJobId,
              attempts: config.collector.attempts,
              backoff: { type: 'exponential', delay: config.collector.backoff_seconds * 1000 },
              // A host that still fails after its retries must not hold the report back.
              ignoreDependencyOnFailure: true,
              ...retention,
            },
          })),
        },
      ],
    });
    // Whatever happens to the workers, the run renders with what it has at its deadline.
    const deadline = runDeadline(spec, config.pipeline.run_deadline_minutes);
    await controlQueue.add(
      'run-deadline',
      { kind: 'run-deadline', runId: spec.runId, deadline: deadline.toISOString() } satisfies ControlJobData,
      {
        jobId: `deadline__${spec.runId}`,
        delay: Math.max(0, deadline.getTime() - Date.now()),
        attempts: 5,
        backoff: { type: 'exponential', delay: 10_000 },
        ...retention,
      },
    );
    return { run: spec, created: true, state: 'waiting-children', hosts: hosts.length };
  } finally {
    await Promise.all([deliverQueue.close(), flows.close(), controlQueue.close()]);
  }
}
