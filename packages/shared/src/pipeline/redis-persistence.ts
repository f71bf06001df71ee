import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import type { Redis } from 'ioredis';

export interface RedisPersistenceCheck {
  /** True when Redis keeps what BullMQ needs across an eviction and a restart. */
  ok: boolean;
  /** What is wrong, each with the setting that fixes it; empty when ok. */
  problems: string[];
}

/**
 * BullMQ keeps every run in Redis: evicted keys are lost jobs, and a restart without AOF loses
 * what was written since the last snapshot (and can bring back a delivered run without its
 * delivered mark). Checked at start: maxmemory-policy noeviction, appendonly yes, appendfsync
 * everysec or always. Managed Redis that refuses CONFIG GET is reported as unknown.
 */
export async function checkRedisPersistence(redis: Redis): Promise<RedisPersistenceCheck> {
  const read = async (name: string): Promise<string | null> => {
    const reply = (await redis.call('CONFIG', 'GET', name)) as string[];
    return reply[1] ?? null;
  };
  let policy: string | null;
  let appendonly: string | null;
  let fsync: string | null;
  try {
    [policy, appendonly, fsync] = await Promise.all([
      read('maxmemory-policy'),
      read('appendonly'),
      read('appendfsync'),
    ]);
  } catch (error) {
    return {
      ok: false,
      problems: [
        `cannot read the Redis configuration (${(error as Error).message}): make sure it runs with appendonly yes, appendfsync everysec and maxmemory-policy noeviction`,
      ],
    };
  }
  const problems: string[] = [];
  if (policy !== 'noeviction')
    problems.push(
      `maxmemory-policy is ${policy ?? 'unset'}: set noeviction, or Redis may evict queued jobs under memory pressure`,
    );
  if (appendonly !== 'yes')
    problems.push('appendonly is no: set appendonly yes, or a Redis restart loses runs in flight and delivered marks');
  else if (fsync !== 'everysec' && fsync !== 'always')
    problems.push(`appendfsync is ${fsync ?? 'unset'}: set everysec (at most one second of writes lost on a crash)`);
  return { ok: problems.length === 0, problems };
}

/**
 * At a service's start: checks Redis, logs each problem as an error, and keeps the verdict in
 * the `infra_report_redis_persistence_ok` gauge of the service's registry.
 */
export async function reportRedisPersistence(redis: Redis, registry: Registry, logger: Logger): Promise<void> {
  const gauge = new Gauge({
    name: 'infra_report_redis_persistence_ok',
    help: '1 when Redis runs with AOF and noeviction (no run or delivered mark lost on a Redis restart), else 0',
    registers: [registry],
  });
  const check = await checkRedisPersistence(redis);
  gauge.set(check.ok ? 1 : 0);
  for (const problem of check.problems) logger.error({ problem }, 'Redis may lose runs or delivered marks');
}
