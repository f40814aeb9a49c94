export { buildHttpApp } from './app.js';
export { createTokenCheck, isLoopback } from './auth.js';
export type { EventContext } from './event.js';
export { textEvent, toEvent } from './event.js';
export { HttpSource } from './http-source.js';
export type { BodyRejection, HttpMetrics } from './metrics.js';
export type { HttpSourceOptions } from './options.js';
export { SOURCE_IDS } from './options.js';
