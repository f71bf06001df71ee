import {
  createFilePointBuffer,
  createInfluxStore,
  ensureInfluxV1Database,
  withPointBuffer,
  type Config,
  type InfluxStore,
  type Logger,
} from '@infra-report/shared';

/**
 * InfluxDB for the one-process commands (run, watch): points it refuses wait in
 * report.state_dir; on InfluxDB 1.x the database is created. Undefined without influx settings.
 */
export async function localInflux(
  config: Config,
  logger: Logger,
): Promise<(InfluxStore & { flushBuffer(): Promise<number> }) | undefined> {
  if (!config.influx) return undefined;
  const influx = withPointBuffer(
    createInfluxStore(config.influx),
    createFilePointBuffer(config.report.state_dir, config.influx.buffer_max_batches),
    logger,
  );
  if (config.influx.api === 'v1')
    await ensureInfluxV1Database(config.influx).catch((error: Error) =>
      logger.warn({ err: error }, 'cannot create the InfluxDB database'),
    );
  return influx;
}
