export { deliverRun, type DeliverDependencies, type DeliveryLedger, type MailDestination } from './deliver-run.js';
export { composeMessage, escapeHtml } from './compose-message.js';
export { createDeliverProcessor, startDeliverWorker } from './deliver-worker.js';
export { createMailDestination, createRedisDeliveryLedger } from './transports.js';
export { deliverAlert, alertText, type AlertDeliveryDependencies } from './notify/deliver-alert.js';
export { startNotifyWorker } from './notify/notify-worker.js';
export { postWebhook } from './notify/webhooks.js';
export { archiveReport } from './archive.js';
export type { DeliveryChannels } from './deliver-run.js';
