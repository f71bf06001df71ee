import type { AlertStateStore, Config, Logger } from '@infra-report/shared';
import { AlertDispatcher, createFileAlertOutbox, type MailDestination } from '@infra-report/mailer';

/** Alert notifications of one process (run, watch): grouped, waiting in report.state_dir. */
export function localAlertDispatcher(
  config: Config,
  destination: MailDestination,
  state: AlertStateStore,
  logger: Logger,
  now: () => Date,
): AlertDispatcher {
  return new AlertDispatcher({
    config,
    destination,
    ledger: undefined,
    state,
    outbox: createFileAlertOutbox(config.report.state_dir),
    logger,
    now,
  });
}
