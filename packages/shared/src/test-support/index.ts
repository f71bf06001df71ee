export * from './services.js';
export * from './smtp.js';
export * from './fleet.js';
