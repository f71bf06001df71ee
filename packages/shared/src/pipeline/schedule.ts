import { Queue, type ConnectionOptions } from 'bullmq';
import type { Config } from '../config/load.js';
import { queueNames, type ControlJobData } from '../run.js';

export const scheduleId = 'daily-report';

/**
 * Keeps the configured schedule in Redis as a BullMQ job scheduler (upsert: every service that
 * starts with the same configuration leaves one scheduler), or removes it when the configuration
 * has none. Each firing is a `scheduled-trigger` control job; the run it starts has the same id
 * as any other trigger of that day and scope, so a second scheduler or a manual trigger for the
 * same day gives one run.
 */
export async function syncSchedule(config: Config, connection: ConnectionOptions): Promise<'set' | 'removed'> {
  const prefix = config.redis?.prefix ?? 'infra-report';
  const queue = new Queue<ControlJobData>(queueNames.control, { connection, prefix });
  try {
    if (!config.schedule) {
      await queue.removeJobScheduler(scheduleId);
      return 'removed';
    }
    const { cron, timezone, groups, hosts } = config.schedule;
    try {
      await queue.upsertJobScheduler(
        scheduleId,
        { pattern: cron, tz: timezone },
        {
          name: 'scheduled-trigger',
          data: { kind: 'scheduled-trigger', groups, hosts },
          opts: {
            attempts: 5,
            backoff: { type: 'exponential', delay: 10_000 },
            removeOnComplete: 100,
            removeOnFail: 100,
          },
        },
      );
    } catch (error) {
      // Services starting together race to create the scheduler's next job; the one that loses
      // finds the scheduler in place with this configuration, which is all it had to ensure.
      const existing = await queue.getJobScheduler(scheduleId);
      if (existing?.pattern !== cron || existing.tz !== timezone) throw error;
    }
    return 'set';
  } finally {
    await queue.close();
  }
}
