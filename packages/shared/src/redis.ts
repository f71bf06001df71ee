import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection for BullMQ. Workers need `maxRetriesPerRequest: null` (BullMQ blocks on
 * BRPOPLPUSH-style commands and must never see a per-request retry limit).
 */
export function createRedisConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...options });
}

/** Connection with bounded retries, for short-lived commands (CLI trigger, API requests). */
export function createRedisClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 3, connectTimeout: 5000 });
}
