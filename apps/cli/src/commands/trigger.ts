import { createRedisClient, DependencyUnavailableError, enqueueRun } from '@infra-report/shared';
import { loadCliConfig, say } from './load.js';

export async function triggerCommand(options: {
  config?: string;
  date?: string;
  group?: string[];
  host?: string[];
}): Promise<void> {
  const config = loadCliConfig(options.config);
  if (!config.redis)
    throw new DependencyUnavailableError('trigger needs Redis: set redis.url in the configuration or REDIS_URL');
  const connection = createRedisClient(config.redis.url);
  try {
    const outcome = await enqueueRun(
      config,
      connection,
      { groups: options.group, hosts: options.host },
      new Date(),
      options.date,
    );
    if (outcome.created) say(`run ${outcome.run.runId} enqueued: ${outcome.hosts} host(s)`);
    else say(`run ${outcome.run.runId} already exists (${outcome.state}): nothing enqueued`);
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
  } finally {
    await connection.quit();
  }
}
