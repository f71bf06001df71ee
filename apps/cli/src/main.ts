import { Command, Option } from 'commander';
import { ConfigError, exitCodeFor } from '@infra-report/shared';

// Each command's modules load when it runs: `trigger` or `--help` do not load the PDF libraries.
const program = new Command()
  .name('infra-report')
  .description('Daily infrastructure report for Linux fleets: collect over SSH, render PDF and XLSX, deliver by email.')
  .option(
    '-c, --config <file>',
    'configuration file (default: $INFRA_REPORT_CONFIG, ./infra-report.yaml, /etc/infra-report/config.yaml)',
  )
  .showHelpAfterError();

program
  .command('run')
  .description('collect every host, render the report and deliver it, all in this process (no Redis needed)')
  .option('--date <YYYY-MM-DD>', 'report date (default: today in the report time zone)')
  .option('--group <name...>', 'only hosts in these groups')
  .option('--host <name...>', 'only these hosts')
  .option('-v, --verbose', 'log every step as JSON on stderr')
  .action(async (options, command: Command) =>
    (await import('./commands/run.js')).runCommand({ ...command.optsWithGlobals(), ...options }),
  );

program
  .command('trigger')
  .description(
    'enqueue a report run for the collector, renderer and mailer services (what the Kubernetes CronJob runs)',
  )
  .option('--date <YYYY-MM-DD>', 'report date (default: today in the report time zone)')
  .option('--group <name...>', 'only hosts in these groups')
  .option('--host <name...>', 'only these hosts')
  .action(async (options, command: Command) =>
    (await import('./commands/trigger.js')).triggerCommand({ ...command.optsWithGlobals(), ...options }),
  );

program
  .command('watch')
  .description(
    'sample CPU, load, memory, disks and temperature of every host every sample.interval_seconds over connections kept open, and alert at once',
  )
  .option('--rounds <n>', 'stop after this many rounds of every host (default: until stopped)')
  .option('-v, --verbose', 'log every step as JSON on stderr')
  .action(async (options, command: Command) =>
    (await import('./commands/watch.js')).watchCommand({ ...command.optsWithGlobals(), ...options }),
  );

program
  .command('silence')
  .description(
    'keep the alerts of a host (pattern with *), one rule, one subject quiet for a while; they stay in the report',
  )
  .option('--host <name>', 'host name or pattern ("web*", "*")')
  .option(
    '--rule <rule>',
    'only this rule (disk, inodes, load, cpu, memory, temperature, failed_logins, stale_backup, unreachable)',
  )
  .option('--subject <subject>', 'only this subject of the rule (a mount point, a source address, a sensor)')
  .option('--for <duration>', 'how long: 30m, 4h, 1h30m, 2d')
  .option('--comment <text>', 'why (shown in the report and in --list)')
  .option('--list', 'list the silences')
  .option('--expire <id>', 'end a silence now')
  .action(async (options, command: Command) =>
    (await import('./commands/silence.js')).silenceCommand({ ...command.optsWithGlobals(), ...options }),
  );

program
  .command('init')
  .description('write a commented starting configuration file')
  .argument('[file]', 'where to write it', 'infra-report.yaml')
  .addOption(new Option('--force', 'overwrite an existing file'))
  .action(async (file: string, options) => (await import('./commands/init.js')).initCommand(file, options));

program
  .command('check-config')
  .description("validate the configuration, then try each host's SSH connection and say what is wrong")
  .option('--no-connect', 'only validate the file, and show each host as it resolved')
  .option('--json', 'print the hosts (and the connection results) as JSON on stdout')
  .action(async (options, command: Command) =>
    (await import('./commands/check-config.js')).checkConfigCommand({ ...command.optsWithGlobals(), ...options }),
  );

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // The exit status comes from the error's code (packages/shared/src/errors.ts).
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(error instanceof ConfigError ? `${message}\n` : `infra-report: ${message}\n`);
  process.exitCode = exitCodeFor(error);
}
