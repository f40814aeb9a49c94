export type { ParseOutcome, ParsePoolOptions } from './pool.js';
export { ParsePool, StuckLine } from './pool.js';
export type { ParseWorkerConfig } from './protocol.js';
