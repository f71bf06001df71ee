export { collectHost, buildSnapshot, type CollectDependencies, type OpenedRunner } from './collect-host.js';
export { collectionScript, probeScripts } from './collection-script.js';
export { linuxProbes } from './probes/registry.js';
export { simpleProbe, type Probe, type ProbeContext, type ReadContext, type SectionReader } from './probes/probe.js';
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
export { Sampler, type SamplerDependencies } from './sampling/sampler.js';
export { SessionPool } from './sampling/session-pool.js';
export { createHostShare } from './sampling/host-share.js';
export { parseSample, sampleScript, type HostSample } from './sampling/sample-script.js';
export { resourcePoints } from './points.js';
export type { CollectionAlerts } from './collection-alerts.js';
export { readWindowsState, type WindowsState } from './windows/windows-snapshot.js';
export { windowsVersionCheck } from './windows/windows-script.js';
