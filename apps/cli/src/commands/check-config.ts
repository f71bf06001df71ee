import pLimit from 'p-limit';
import type { ResolvedHost } from '@infra-report/shared';
import { createRunnerFactory, CollectionError, windowsVersionCheck, type CommandRunner } from '@infra-report/collector';
import { exitStatus } from '../exit-status.js';
import { loadCliConfig, say } from './load.js';

function jumpHost(host: ResolvedHost): string | null {
  const { jump } = host.ssh;
  return jump ? `${jump.user}@${jump.address}:${jump.port}` : null;
}

/** Where a host's connection goes, as resolved from the file, its groups, the inventory and ~/.ssh/config. */
export function describeHost(host: ResolvedHost) {
  return {
    name: host.name,
    groups: host.groups,
    platform: host.platform,
    local: host.local,
    ...(host.local
      ? {}
      : {
          user: host.ssh.user,
          address: host.address,
          port: host.ssh.port,
          privateKeyFile: host.ssh.privateKeyFile ?? null,
          knownHostsFile: host.ssh.knownHostsFile,
          jump: jumpHost(host),
          fromSshConfig: host.ssh.fromSshConfig ?? null,
          source: host.labels['source'] ?? 'configuration',
        }),
  };
}

/** A host runs commands: `uname -n` on Linux, PowerShell's version on Windows (as a collection would start it). */
async function checkCommands(host: ResolvedHost, runner: CommandRunner): Promise<void> {
  const windows = host.platform === 'windows' ? windowsVersionCheck() : null;
  const what = windows ? 'PowerShell' : '"uname -n"';
  const result = await runner.run(windows ? '' : 'uname -n', {
    ...(windows ? { command: windows.command } : {}),
    timeoutMs: host.ssh.commandTimeoutMs,
    maxBytes: 4096,
  });
  if (result.exitCode !== 0)
    throw new CollectionError(
      'command',
      `${what} exited with status ${result.exitCode}: ${result.stderr.trim().slice(0, 200)}`,
      false,
    );
  const answer = result.stdout.toString('utf8').trim();
  if (windows && !windows.looksRight(answer))
    throw new CollectionError(
      'command',
      `PowerShell did not answer with its version (is this a Windows host with OpenSSH?): ${answer.slice(0, 100) || 'no output'}`,
      false,
    );
}

function hostLine(host: ResolvedHost): string {
  if (host.local) return `${host.name} (local, no SSH)`;
  const jump = jumpHost(host);
  const via = jump ? ` via ${jump}` : '';
  const from = [
    host.labels['source'] === 'ansible-inventory' ? 'inventory' : '',
    host.ssh.fromSshConfig ? 'ssh config' : '',
  ]
    .filter(Boolean)
    .join(', ');
  const platform = host.platform === 'windows' ? ' [windows]' : '';
  return `${host.name}${platform} ${host.ssh.user}@${host.address}:${host.ssh.port}${via}${from ? ` (${from})` : ''}`;
}

/**
 * Validates the file and shows each host as it resolved (user, address, port, jump host, where
 * they came from), then opens each host's connection and runs one harmless command.
 */
export async function checkConfigCommand(options: {
  config?: string;
  connect?: boolean;
  json?: boolean;
}): Promise<void> {
  const config = loadCliConfig(options.config);
  if (options.json && options.connect === false) {
    process.stdout.write(
      `${JSON.stringify({ source: config.source, valid: true, hosts: config.hosts.map(describeHost) }, null, 2)}\n`,
    );
    return;
  }
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
  if (options.connect === false) {
    for (const host of config.hosts) say(`  host  ${hostLine(host)}`);
    return;
  }
  const openRunner = createRunnerFactory(config.home);
  const limit = pLimit(config.collector.concurrency);
  let failed = 0;
  const results: { host: ResolvedHost; ok: boolean; latencyMs: number | null; reason: string | null }[] = [];
  await Promise.all(
    config.hosts.map((host) =>
      limit(async () => {
        try {
          const { runner, latencyMs } = await openRunner(host);
          try {
            await checkCommands(host, runner);
            results.push({ host, ok: true, latencyMs, reason: null });
            if (!options.json) say(`  ok    ${hostLine(host)}${host.local ? '' : ` in ${latencyMs} ms`}`);
          } finally {
            await runner.close();
          }
        } catch (error) {
          failed += 1;
          const reason = error instanceof CollectionError ? error.reason : (error as Error).message;
          results.push({ host, ok: false, latencyMs: null, reason });
          if (!options.json) say(`  FAIL  ${host.name}: ${reason}`);
        }
      }),
    ),
  );
  if (options.json)
    process.stdout.write(
      `${JSON.stringify(
        {
          source: config.source,
          valid: true,
          hosts: config.hosts.map((host) => {
            const r = results.find((x) => x.host === host);
            return {
              ...describeHost(host),
              ok: r?.ok ?? false,
              latencyMs: r?.latencyMs ?? null,
              reason: r?.reason ?? null,
            };
          }),
        },
        null,
        2,
      )}\n`,
    );
  if (failed > 0) {
    say(`${failed} of ${config.hosts.length} host(s) cannot be collected`);
    process.exitCode = exitStatus.someHostsFailed;
  }
}
