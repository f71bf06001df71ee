import { createArtifactStore, onShutdownSignal, setUpService } from '@infra-report/shared';
import { startDeliverWorker } from './deliver-worker.js';
import { createMailDestination, createRedisDeliveryLedger } from './transports.js';

const { logger, config, connection } = setUpService('mailer', process.argv, process.env);
const destination = createMailDestination(config);
const worker = startDeliverWorker(
  {
    artifacts: createArtifactStore(config, connection),
    destination,
    report: config.report,
    ledger: createRedisDeliveryLedger(connection, config.redis.prefix, config.artifacts.retentionSeconds),
    now: () => new Date(),
    logger,
  },
  connection,
  config.redis.prefix,
);
worker.on('failed', (job, error) => logger.error({ job: job?.id, err: error }, 'deliver job failed'));
worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
logger.info({ destination: destination.kind }, 'mailer started');

onShutdownSignal(logger, async () => {
  await worker.close();
  destination.transport.close();
  await connection.quit();
});
