export type { ParseOutcome } from './outcome.js';
export { StuckLine } from './outcome.js';
export type { ParsePoolOptions } from './pool.js';
export { ParsePool } from './pool.js';
export type { ParseWorkerConfig } from './protocol.js';
