export {
  deliverRun,
  deliveryChannels,
  type DeliverDependencies,
  type DeliveryLedger,
  type MailDestination,
} from './deliver-run.js';
export { composeMessage, escapeHtml } from './compose-message.js';
export { createDeliverProcessor, startDeliverWorker } from './deliver-worker.js';
export { createMailDestination, createRedisDeliveryLedger } from './transports.js';
export {
  acceptAlert,
  flushAlerts,
  refreshAlertmanager,
  alertmanagerValidForMs,
  type AlertDispatchDependencies,
} from './notify/alert-dispatch.js';
export { AlertDispatcher } from './notify/alert-dispatcher.js';
export { createFileAlertOutbox, createRedisAlertOutbox, type AlertOutbox } from './notify/alert-outbox.js';
export { composeAlertNotification } from './notify/alert-notification.js';
export { toPostableAlert, postToAlertmanager } from './notify/alertmanager.js';
export { startNotifyWorker } from './notify/notify-worker.js';
export { postWebhook } from './notify/webhooks.js';
export { archiveReport } from './archive.js';
export type { DeliveryChannels } from './deliver-run.js';
