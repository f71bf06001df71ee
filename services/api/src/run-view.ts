import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  deadlineReasonsKey,
  runDeadline,
  type DeliverJobData,
  type DeliverResult,
  type HostStatus,
  type HostStatusStore,
  type RenderJobData,
  type RenderResult,
  type RunSpec,
} from '@infra-report/shared';

export interface RunQueues {
  collect: Queue;
  render: Queue<RenderJobData, RenderResult>;
  deliver: Queue<DeliverJobData, DeliverResult>;
}

/** Where a run is, in the words of the pipeline (not BullMQ's job states). */
export const runPhases = ['collecting', 'rendering', 'delivering', 'delivered', 'failed'] as const;
export type RunPhase = (typeof runPhases)[number];

export interface RunListItem {
  runId: string;
  reportDate: string;
  scope: string;
  state: RunPhase;
  createdAt: string;
  hosts: number | null;
  deliveredAt: string | null;
}

export type HostProgressState = 'waiting' | 'collecting' | 'retrying' | 'reported' | 'failed' | 'given_up';

export interface HostProgress {
  name: string;
  address: string;
  groups: string[];
  state: HostProgressState;
  attempts: number;
  reason: string | null;
  /** The failure's kind (refused, timeout, auth, host_key, ...), when known. */
  kind: string | null;
  finishedAt: string | null;
}

const iso = (epochMs: number | undefined) => (epochMs ? new Date(epochMs).toISOString() : null);

/** The run's phase from the states of its deliver job (the flow's root) and its render job. */
function phaseOf(deliverState: string, renderState: string | null): RunPhase {
  if (deliverState === 'completed') return 'delivered';
  if (deliverState === 'failed') return 'failed';
  if (deliverState !== 'waiting-children') return 'delivering';
  if (renderState === 'failed') return 'failed';
  return renderState === 'waiting-children' ? 'collecting' : 'rendering';
}

/** The same read from Redis (the render job's state only when the deliver job's does not say). */
async function runPhase(deliverJob: Job, renderJob: Job | undefined): Promise<RunPhase> {
  const deliverState = await deliverJob.getState();
  const renderState = deliverState === 'waiting-children' && renderJob ? await renderJob.getState() : null;
  return phaseOf(deliverState, renderState);
}

const allStates = ['completed', 'failed', 'active', 'waiting', 'waiting-children', 'delayed', 'prioritized'] as const;

/** Every run still in Redis (runs are kept for artifacts.retention), newest first. */
export async function listRuns(
  queues: RunQueues,
  filter: { date?: string | undefined; state?: RunPhase | undefined },
): Promise<RunListItem[]> {
  const jobs = (await queues.deliver.getJobs([...allStates], 0, -1)).filter(
    (job): job is Job<DeliverJobData, DeliverResult> => Boolean(job?.id),
  );
  const candidates = filter.date ? jobs.filter((job) => job.data.run.reportDate === filter.date) : jobs;
  const items = await Promise.all(
    candidates.map(async (job): Promise<RunListItem> => {
      const renderJob = await queues.render.getJob(job.data.run.runId);
      return {
        runId: job.data.run.runId,
        reportDate: job.data.run.reportDate,
        scope: job.data.run.scope,
        state: await runPhase(job, renderJob),
        createdAt: new Date(job.timestamp).toISOString(),
        hosts: renderJob ? renderJob.data.hosts.length : null,
        deliveredAt: job.returnvalue?.deliveredAt ?? null,
      };
    }),
  );
  return items
    .filter((item) => !filter.state || item.state === filter.state)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.runId.localeCompare(a.runId));
}

/** One host of a run: its collect job's state, attempts and failure (with its kind). */
async function hostProgress(
  queues: RunQueues,
  host: RenderJobData['hosts'][number],
  run: RunSpec,
  givenUp: Record<string, string>,
  status: HostStatus | undefined,
): Promise<HostProgress> {
  const job = await queues.collect.getJob(host.collectJobId);
  const base = { name: host.name, address: host.address, groups: host.groups };
  if (!job) {
    const reason = givenUp[host.name] ?? 'the collect job is no longer in Redis';
    return {
      ...base,
      state: givenUp[host.name] ? 'given_up' : 'failed',
      attempts: 0,
      reason,
      kind: null,
      finishedAt: null,
    };
  }
  const jobState = await job.getState();
  const kind = status?.lastRunId === run.runId && status.failure ? status.failure.kind : null;
  const reason = job.failedReason || null;
  const given = givenUp[host.name];
  let state: HostProgressState;
  if (jobState === 'completed') state = 'reported';
  else if (jobState === 'failed') state = 'failed';
  else if (given) state = 'given_up';
  else if (jobState === 'active') state = 'collecting';
  else state = job.attemptsMade > 0 ? 'retrying' : 'waiting';
  return {
    ...base,
    state,
    attempts: job.attemptsMade,
    reason: state === 'reported' ? null : (given ?? reason),
    kind: state === 'reported' ? null : kind,
    finishedAt: iso(job.finishedOn),
  };
}

/** A run in full: phase, deadline, each host's progress, the render and the delivery. */
export async function describeRun(
  runId: string,
  deps: {
    queues: RunQueues;
    redis: Redis;
    prefix: string;
    hostStatus: HostStatusStore;
    deadlineMinutes: number;
    now: Date;
  },
) {
  const { queues } = deps;
  const deliverJob = await queues.deliver.getJob(runId);
  if (!deliverJob) return null;
  const run = deliverJob.data.run;
  const renderJob = await queues.render.getJob(runId);
  const givenUp = await deps.redis.hgetall(deadlineReasonsKey(deps.prefix, runId));
  // One read of every host's status, not one per host.
  const statuses = renderJob ? await deps.hostStatus.all() : new Map<string, HostStatus>();
  const hosts = renderJob
    ? await Promise.all(renderJob.data.hosts.map((h) => hostProgress(queues, h, run, givenUp, statuses.get(h.name))))
    : [];
  const count = (...states: HostProgressState[]) => hosts.filter((h) => states.includes(h.state)).length;
  const renderState = renderJob ? await renderJob.getState() : null;
  const deliverState = await deliverJob.getState();
  const deadline = runDeadline(run, deps.deadlineMinutes);
  const rendered = renderJob?.returnvalue ?? null;
  const delivered = deliverJob.returnvalue ?? null;
  return {
    runId,
    run,
    state: phaseOf(deliverState, renderState),
    createdAt: new Date(deliverJob.timestamp).toISOString(),
    // When the run renders with what it has; overdue: past it and still waiting for hosts.
    deadline: deadline.toISOString(),
    overdue: renderState === 'waiting-children' && deps.now > deadline,
    progress: {
      total: hosts.length,
      reported: count('reported'),
      failed: count('failed', 'given_up'),
      pending: count('waiting', 'collecting', 'retrying'),
    },
    hosts,
    render: renderJob
      ? {
          state: renderState,
          attempts: renderJob.attemptsMade,
          failedReason: renderJob.failedReason || null,
          finishedAt: iso(renderJob.finishedOn),
        }
      : null,
    delivery: {
      state: deliverState,
      attempts: deliverJob.attemptsMade,
      deliveredAt: delivered?.deliveredAt ?? null,
      destination: delivered?.destination ?? null,
      messageId: delivered?.messageId ?? null,
      failedReason: deliverJob.failedReason || null,
    },
    files:
      rendered?.artifacts.map((a) => ({
        fileName: a.fileName,
        bytes: a.bytes,
        contentType: a.contentType,
        url: `/v1/runs/${encodeURIComponent(runId)}/files/${encodeURIComponent(a.fileName)}`,
      })) ?? [],
    summary: rendered?.summary ?? null,
  };
}
