export * from './services.js';
export * from './smtp.js';
