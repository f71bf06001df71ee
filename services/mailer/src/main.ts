import { Counter } from 'prom-client';
import { createArtifactStore, onShutdownSignal, setUpService, workerLocks } from '@infra-report/shared';
import { startDeliverWorker } from './deliver-worker.js';
import { createMailDestination, createRedisDeliveryLedger } from './transports.js';

const { logger, config, connection, metrics } = setUpService('mailer', process.argv, process.env);
const { registry, serve: serveMetrics } = metrics(config.metrics.mailer_port);
const deliveries = new Counter({
  name: 'infra_report_deliveries_total',
  help: 'Deliver jobs by outcome (sent, already_delivered)',
  labelNames: ['outcome'],
  registers: [registry],
});
const duplicates = new Counter({
  name: 'infra_report_possible_duplicate_deliveries_total',
  help: 'Emails sent again after an attempt died between the SMTP server accepting it and the outcome being recorded (same Message-ID)',
  registers: [registry],
});

const destination = createMailDestination(config);
const worker = startDeliverWorker(
  {
    artifacts: createArtifactStore(config, connection),
    destination,
    report: config.report,
    ledger: createRedisDeliveryLedger(connection, config.redis.prefix),
    now: () => new Date(),
    logger,
    metrics: {
      delivered: () => deliveries.inc({ outcome: 'sent' }),
      alreadyDelivered: () => deliveries.inc({ outcome: 'already_delivered' }),
      possibleDuplicate: () => duplicates.inc(),
    },
  },
  connection,
  config.redis.prefix,
);
worker.on('failed', (job, error) => logger.error({ job: job?.id, err: error }, 'deliver job failed'));
worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
const metricsServer = await serveMetrics();
logger.info({ destination: destination.kind, ...workerLocks.deliver }, 'mailer started');

onShutdownSignal(logger, async () => {
  await worker.close();
  destination.transport.close();
  metricsServer.close();
  await connection.quit();
});
