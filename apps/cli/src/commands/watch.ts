import { Redis } from 'ioredis';
import {
  createFileAlertStateStore,
  createLogger,
  createRedisAlertStateStore,
  type AlertEvent,
} from '@infra-report/shared';
import { createRunnerFactory, Sampler, SessionPool } from '@infra-report/collector';
import { alertmanagerValidForMs, createMailDestination } from '@infra-report/mailer';
import { localAlertDispatcher } from '../local-alerts.js';
import { localInflux } from '../local-influx.js';
import { loadCliConfig, say } from './load.js';

/**
 * Samples every host over connections kept open, in this process, until SIGINT/SIGTERM or for
 * --rounds rounds. Alert state: Redis when configured, else report.state_dir.
 */
export async function watchCommand(options: { config?: string; rounds?: string; verbose?: boolean }): Promise<void> {
  const config = loadCliConfig(options.config);
  const rounds = options.rounds === undefined ? undefined : Number(options.rounds);
  if (rounds !== undefined && (!Number.isInteger(rounds) || rounds < 1))
    throw new Error(`--rounds must be a positive whole number, got "${options.rounds}"`);
  const logger = createLogger('infra-report', options.verbose ? 'debug' : 'warn');
  const redis = config.redis ? new Redis(config.redis.url, { maxRetriesPerRequest: 3 }) : undefined;
  redis?.on('error', () => undefined); // reported by the commands that fail
  const influx = await localInflux(config, logger);
  const destination = createMailDestination(config);
  const now = () => new Date();
  const alertState = redis
    ? createRedisAlertStateStore(redis, config.redis?.prefix ?? 'infra-report')
    : createFileAlertStateStore(config.report.state_dir);
  // Notifications grouped per round (group wait, group interval), waiting in report.state_dir.
  const dispatcher = localAlertDispatcher(config, destination, alertState, logger, now);
  await dispatcher.start((config.notify.alertmanager?.resendSeconds ?? 60) * 1000, alertmanagerValidForMs(config));
  // No session slots: a sampling connection stays open (it would hold its slot for good); the
  // sampler bounds the rounds at work (collector.concurrency) and the pool the connections.
  const openRunner = createRunnerFactory(config.home);
  const pool = new SessionPool({
    open: async (host) => (await openRunner(host)).runner,
    maxConnections: config.sample.max_connections,
    idleTimeoutMs: config.sample.idle_timeout_seconds * 1000,
  });
  const hosts = config.hosts;
  const sampler = new Sampler({
    config,
    pool,
    influx,
    alertState,
    publish: async (events: AlertEvent[]) => {
      for (const e of events)
        say(
          `${e.kind === 'recovery' ? 'RECOVERED' : e.severity === 'critical' ? 'CRITICAL ' : 'ALERT    '} ${e.host}: ${e.message}`,
        );
      await dispatcher.publish(events);
    },
    now,
    logger,
    hosts: async () => hosts,
  });
  const stop = () => sampler.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  say(
    `infra-report: sampling ${hosts.length} host(s) every ${config.sample.interval_seconds} s${rounds ? `, ${rounds} round(s)` : ' until stopped'} (configuration: ${config.source})`,
  );
  try {
    await sampler.run(rounds);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await pool.closeAll();
    await dispatcher.afterSilences();
    // What waits for its group wait goes out now rather than with the next start.
    await dispatcher.close();
    await influx?.close();
    destination.transport.close();
    redis?.disconnect();
  }
  say(`infra-report: ${pool.opened} connection(s) opened for ${hosts.length} host(s)`);
}
