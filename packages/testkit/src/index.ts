export * from './services.js';
export * from './smtp.js';
export * from './fleet.js';
export * from './processes.js';
export * from './sample-run.js';
export * from './hostile-hosts.js';
export * from './private-redis.js';
export * from './private-influx.js';
