export {
  collectHost,
  collectionScript,
  buildSnapshot,
  type CollectDependencies,
  type OpenedRunner,
} from './collect-host.js';
export { createCollectProcessor, startCollectWorker } from './collect-worker.js';
export { CollectionError, createLocalRunner, type CommandRunner } from './command-runner.js';
export { createRunnerFactory } from './open-runner.js';
export { snapshotToPoints } from './points.js';
export { createFileAuthLogStateStore, createRedisAuthLogStateStore, type AuthLogStateStore } from './auth-log-state.js';
export { parseAuthLog, type AuthLogContext, type AuthLogEvents } from './probes/auth-log.js';
export { normaliseSource } from './probes/login-source.js';
export {
  createFileHostStateStore,
  createRedisHostStateStore,
  readUpdatesState,
  type HostStateStore,
} from './host-state.js';
