import pRetry from 'p-retry';
import type { AlertEvent, Config, Logger } from '@infra-report/shared';
import { deliverAlert, type MailDestination } from '@infra-report/mailer';

/**
 * One process (run, watch): alerts go out from here, tried three times; what still fails is
 * logged (the alert state keeps it firing, so it is not sent again, and its recovery will be).
 */
export function directAlertPublisher(
  config: Config,
  destination: MailDestination | undefined,
  logger: Logger,
  now: () => Date,
): (events: AlertEvent[]) => Promise<void> {
  return async (events) => {
    for (const event of events) {
      await pRetry(() => deliverAlert(event, { config, destination, ledger: undefined, logger, now }), {
        retries: 2,
        minTimeout: 1000,
      }).catch((error: Error) => logger.error({ alert: event.id, err: error }, 'alert not delivered'));
    }
  };
}
