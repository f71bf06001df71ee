export { deliverRun, type DeliverDependencies, type DeliveryLedger, type MailDestination } from './deliver-run.js';
export { composeMessage, escapeHtml } from './compose-message.js';
export { createDeliverProcessor, startDeliverWorker } from './deliver-worker.js';
export { createMailDestination, createRedisDeliveryLedger } from './transports.js';
