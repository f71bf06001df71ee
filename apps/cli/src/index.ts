export { runEmbedded, type EmbeddedRunResult } from './embedded-run.js';
export { starterConfig } from './starter-config.js';
