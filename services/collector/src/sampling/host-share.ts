import type { Redis } from 'ioredis';
import type { ResolvedHost } from '@infra-report/shared';

// Renews the lease when this worker holds it, or releases it: never touches another's.
const renewOrRelease = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if ARGV[2] == 'renew' then return redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * Which hosts this collector samples, when several run: each host is leased in Redis to one
 * worker (renewed every round), each worker takes its fair share (hosts / live workers), and
 * the hosts of a worker that stops are taken over once its leases lapse. One connection per host
 * across the fleet of workers, not one per worker.
 */
export function createHostShare(
  redis: Redis,
  prefix: string,
  workerId: string,
  allHosts: ResolvedHost[],
  leaseMs: number,
): { hosts(): Promise<ResolvedHost[]>; release(): Promise<void> } {
  const workersKey = `${prefix}:sampler:workers`;
  const lease = (host: string) => `${prefix}:sampler:lease:${host}`;
  const mine = new Set<string>();
  // The sampler asks every second; leases are renewed a few times per lease, not every second.
  const refreshMs = Math.min(5000, leaseMs / 4);
  let refreshedAt = 0;
  return {
    async hosts() {
      const now = Date.now();
      if (now - refreshedAt < refreshMs) return allHosts.filter((h) => mine.has(h.name));
      refreshedAt = now;
      await redis.zadd(workersKey, now, workerId);
      await redis.zremrangebyscore(workersKey, 0, now - leaseMs);
      const workers = Math.max(1, await redis.zcard(workersKey));
      const share = Math.ceil(allHosts.length / workers);
      for (const name of [...mine]) {
        const kept =
          mine.size <= share && (await redis.eval(renewOrRelease, 1, lease(name), workerId, 'renew', leaseMs)) === 1;
        if (!kept) {
          if (mine.size > share) await redis.eval(renewOrRelease, 1, lease(name), workerId, 'release', 0);
          mine.delete(name);
        }
      }
      for (const host of allHosts) {
        if (mine.size >= share) break;
        if (mine.has(host.name)) continue;
        if ((await redis.set(lease(host.name), workerId, 'PX', leaseMs, 'NX')) === 'OK') mine.add(host.name);
      }
      return allHosts.filter((h) => mine.has(h.name));
    },
    async release() {
      for (const name of mine) await redis.eval(renewOrRelease, 1, lease(name), workerId, 'release', 0);
      mine.clear();
      await redis.zrem(workersKey, workerId);
    },
  };
}
