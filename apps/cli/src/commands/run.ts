import { createLogger, silentLogger, verdict } from '@infra-report/shared';
import { exitStatus } from '../exit-status.js';
import { runEmbedded } from '../embedded-run.js';
import { loadCliConfig, say } from './load.js';

export async function runCommand(options: {
  config?: string;
  date?: string;
  group?: string[];
  host?: string[];
  verbose?: boolean;
}): Promise<void> {
  const config = loadCliConfig(options.config);
  const logger = options.verbose ? createLogger('infra-report', 'debug') : silentLogger();
  say(
    `infra-report: collecting ${config.hosts.length === 1 && config.hosts[0]?.local ? `this machine (${config.hosts[0].name})` : `${config.hosts.length} host(s)`} (configuration: ${config.source})`,
  );
  const result = await runEmbedded(config, {
    scope: { groups: options.group, hosts: options.host },
    reportDate: options.date,
    logger,
    onHost: (host, outcome) =>
      say(
        outcome.ok
          ? `  ok    ${host}${outcome.problems > 0 ? ` (${outcome.problems} gap(s), see the report)` : ''}`
          : `  FAIL  ${host}: ${outcome.reason}`,
      ),
  });
  const { summary } = result.rendered;
  const hosts = result.snapshots.length + result.failures.length;
  say(
    `collected ${hosts} host(s) in ${result.collection.seconds.toFixed(1)} s, ${(result.collection.cpuMs / hosts).toFixed(1)} ms of CPU per host in this process`,
  );
  say(
    `report for ${result.rendered.run.reportDate}: ${summary.hostsReporting}/${summary.hostsTotal} hosts reported, ${verdict(summary)}`,
  );
  for (const file of result.reportFiles) say(`  ${file}`);
  say(`  email: ${result.delivered.destination}`);
  // The report went out; the status still tells a cron job or a script that hosts are missing.
  if (result.failures.length > 0) process.exitCode = exitStatus.someHostsFailed;
}
