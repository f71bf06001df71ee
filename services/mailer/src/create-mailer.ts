import { Counter } from 'prom-client';
import {
  serviceOf,
  shutdownDeadlineMs,
  type Service,
  type ServiceSetup,
  createArtifactStore,
  createRedisAlertStateStore,
  createJobMetrics,
  queueNames,
  recordDelivered,
  registerPipelineStatusMetrics,
  workerHealth,
  workerLocks,
} from '@infra-report/shared';
import { deliveryChannels } from './deliver-run.js';
import { startDeliverWorker } from './deliver-worker.js';
import { createRedisAlertOutbox } from './notify/alert-outbox.js';
import { startNotifyWorker } from './notify/notify-worker.js';
import { createMailDestination, createRedisDeliveryLedger } from './transports.js';

/** The mailer service: start() wires it and starts it; close() stops it in order. */
export function createMailer(setup: ServiceSetup): Service {
  const { logger, config, connection, metrics } = setup;
  return serviceOf(setup, shutdownDeadlineMs.mailer, async () => {
    const prefix = config.redis.prefix;
    const { registry, serve: serveMetrics } = metrics(config.metrics.mailer_port);
    const pipelineStatus = registerPipelineStatusMetrics(registry, connection, prefix);
    const notifications = new Counter({
      name: 'infra_report_notifications_total',
      help: 'Messages by channel (email, group_email, webhook, archive, alert_email, alert_group_email, alert_webhook) and outcome: sent, failed (retried), already_delivered',
      labelNames: ['channel', 'outcome'],
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
        ledger: createRedisDeliveryLedger(connection, prefix),
        now: () => new Date(),
        logger,
        channels: deliveryChannels(config),
        metrics: {
          delivered: () => notifications.inc({ channel: 'email', outcome: 'sent' }),
          sendFailed: () => notifications.inc({ channel: 'email', outcome: 'failed' }),
          alreadyDelivered: () => notifications.inc({ channel: 'email', outcome: 'already_delivered' }),
          possibleDuplicate: () => duplicates.inc(),
          channel: (channel, outcome) => notifications.inc({ channel, outcome }),
        },
      },
      connection,
      prefix,
    );
    // Alerts: accepted into per-destination outboxes, flushed as one grouped notification each.
    const notify = await startNotifyWorker(
      {
        config,
        destination,
        ledger: createRedisDeliveryLedger(connection, prefix),
        state: createRedisAlertStateStore(connection, prefix),
        outbox: createRedisAlertOutbox(connection, prefix),
        logger,
        now: () => new Date(),
      },
      connection,
      prefix,
      (channel) => notifications.inc({ channel, outcome: 'sent' }),
    );
    const notifyWorker = notify.worker;
    notifyWorker.on('failed', (job, error) => logger.warn({ job: job?.id, err: error }, 'alert delivery failed'));
    notifyWorker.on('error', (error) => logger.error({ err: error }, 'worker error'));
    const jobMetrics = createJobMetrics(registry);
    jobMetrics.instrument(worker, queueNames.deliver);
    jobMetrics.instrument(notifyWorker, queueNames.notify);
    worker.on('completed', (job, result) => {
      // A retry that found the run delivered already does not move the last delivery.
      if (result.messageId === null && result.destination === 'already delivered') return;
      recordDelivered(connection, prefix, job.data.run, new Date(result.deliveredAt)).catch((error: Error) =>
        logger.warn({ err: error }, 'cannot record the delivery for the metrics'),
      );
    });
    worker.on('failed', (job, error) => logger.error({ job: job?.id, err: error }, 'deliver job failed'));
    worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
    const metricsServer = await serveMetrics(workerHealth([worker, notifyWorker], connection));
    logger.info({ destination: destination.kind, ...workerLocks.deliver }, 'mailer started');

    return [
      // close() waits for the delivery in progress to finish; nothing new is taken meanwhile.
      { name: 'workers', run: () => Promise.all([worker.close(), notify.close()]) },
      { name: 'smtp', run: () => destination.transport.close() },
      { name: 'pipeline status', run: () => pipelineStatus.close() },
      { name: 'metrics server', run: () => metricsServer.close() },
    ];
  });
}
