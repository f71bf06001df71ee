import { homedir } from 'node:os';
import pLimit from 'p-limit';
import { createRunnerFactory, CollectionError } from '@infra-report/collector';
import { exitStatus } from '../exit-status.js';
import { loadCliConfig, say } from './load.js';

/** Validates the file, then opens each host's connection and runs one harmless command. */
export async function checkConfigCommand(options: { config?: string; connect?: boolean }): Promise<void> {
  const config = loadCliConfig(options.config);
  say(`${config.source}: valid, ${config.hosts.length} host(s)`);
  say(
    `  redis: ${config.redis ? config.redis.url.replace(/\/\/[^@]*@/, '//***@') : 'not configured (one-process mode only)'}`,
  );
  say(
    `  influx: ${config.influx ? `${config.influx.url} (${config.influx.api} API, ${config.influx.bucket})` : 'not configured (no time series)'}`,
  );
  say(
    `  smtp: ${config.smtp ? `${config.smtp.host}:${config.smtp.port} to ${config.smtp.to.join(', ')}` : `not configured (email written to ${config.report.outbox_dir})`}`,
  );
  if (options.connect === false) return;
  const openRunner = createRunnerFactory(process.env['HOME'] ?? homedir());
  const limit = pLimit(config.collector.concurrency);
  let failed = 0;
  await Promise.all(
    config.hosts.map((host) =>
      limit(async () => {
        try {
          const { runner, latencyMs } = await openRunner(host);
          try {
            const result = await runner.run('uname -n', { timeoutMs: host.ssh.commandTimeoutMs, maxBytes: 4096 });
            if (result.exitCode !== 0)
              throw new CollectionError(
                'command',
                `"uname -n" exited with status ${result.exitCode}: ${result.stderr.trim().slice(0, 200)}`,
                false,
              );
            say(
              `  ok    ${host.name}${host.local ? ' (local, no SSH)' : ` ${host.ssh.user}@${host.address}:${host.ssh.port} in ${latencyMs} ms`}`,
            );
          } finally {
            await runner.close();
          }
        } catch (error) {
          failed += 1;
          say(`  FAIL  ${host.name}: ${error instanceof CollectionError ? error.reason : (error as Error).message}`);
        }
      }),
    ),
  );
  if (failed > 0) {
    say(`${failed} of ${config.hosts.length} host(s) cannot be collected`);
    process.exitCode = exitStatus.someHostsFailed;
  }
}
