import type { ArtifactStore, Config, HostStatusStore } from '@infra-report/shared';
import type { Redis } from 'ioredis';
import type { bearerAuth } from './auth.js';
import type { RunQueues } from './run-view.js';

/** Everything a route needs, built once. */
export interface ApiContext {
  config: Config;
  redis: Redis;
  prefix: string;
  artifacts: ArtifactStore;
  queues: RunQueues;
  hostStatus: HostStatusStore;
  requireScope: ReturnType<typeof bearerAuth>;
  now(): Date;
}
