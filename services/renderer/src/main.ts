import { createArtifactStore, createInfluxStore, onShutdownSignal, setUpService } from '@infra-report/shared';
import { startRenderWorker } from './render-worker.js';

const { logger, config, connection } = setUpService('renderer', process.argv, process.env);
const artifacts = createArtifactStore(config, connection);
const influx = config.influx ? createInfluxStore(config.influx) : undefined;
const worker = startRenderWorker(
  { artifacts, report: config.report, now: () => new Date(), logger, influx },
  connection,
  config.redis.prefix,
);
worker.on('failed', (job, error) => logger.error({ job: job?.id, err: error }, 'render job failed'));
worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
logger.info('renderer started');

onShutdownSignal(logger, async () => {
  await worker.close();
  await influx?.close();
  await connection.quit();
});
