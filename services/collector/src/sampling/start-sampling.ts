import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AlertEvent, AlertStateStore, InfluxStore, ServiceSetup } from '@infra-report/shared';
import type { createRunnerFactory } from '../open-runner.js';
import { createHostShare } from './host-share.js';
import { Sampler } from './sampler.js';
import { SessionPool } from './session-pool.js';

/** Live sampling of this collector's share of the hosts, over connections kept open. */
export function startSampling(deps: {
  config: ServiceSetup['config'];
  connection: ServiceSetup['connection'];
  logger: ServiceSetup['logger'];
  registry: Registry;
  openRunner: ReturnType<typeof createRunnerFactory>;
  influx: InfluxStore | undefined;
  alertState: AlertStateStore;
  publish: (events: AlertEvent[]) => Promise<void>;
}): { stop(): Promise<void> } {
  const { config, connection, logger, registry, openRunner, influx, alertState, publish } = deps;
  const sampleRounds = new Counter({
    name: 'infra_report_sample_rounds_total',
    help: 'Sampling rounds of one host, by outcome (ok, failed)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const sampleCpu = new Counter({
    name: 'infra_report_sample_cpu_seconds_total',
    help: "This collector's CPU time spent sampling (divide by rounds: CPU per host per round)",
    registers: [registry],
  });
  const pool = new SessionPool({
    open: async (host) => (await openRunner(host)).runner,
    maxConnections: config.sample.max_connections,
    idleTimeoutMs: config.sample.idle_timeout_seconds * 1000,
  });
  new Gauge({
    name: 'infra_report_sample_connections',
    help: 'SSH connections this collector keeps open for sampling',
    registers: [registry],
    collect() {
      this.set(pool.size);
    },
  });
  const longest = Math.max(...config.hosts.map((h) => h.sampleIntervalSeconds), config.sample.interval_seconds);
  const share = createHostShare(
    connection,
    config.redis.prefix,
    `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    config.hosts.filter((h) => !h.local),
    Math.max(30_000, longest * 3000),
  );
  const sampler = new Sampler({
    config,
    pool,
    influx,
    alertState,
    publish,
    now: () => new Date(),
    logger,
    hosts: share.hosts,
    observe: (outcome, cpuSeconds) => {
      sampleRounds.inc({ outcome });
      sampleCpu.inc(cpuSeconds);
    },
  });
  const running = sampler.run().catch((error: Error) => logger.error({ err: error }, 'sampling stopped'));
  logger.info({ interval: config.sample.interval_seconds }, 'sampling started');
  return {
    async stop() {
      sampler.stop();
      await running;
      await pool.closeAll();
      await share.release().catch(() => undefined);
    },
  };
}
