export type { EventLine, EventLinesOutcome, ParseOutcome, SerializedRun } from './outcome.js';
export { decodeRun, StuckLine } from './outcome.js';
export type { ParsePoolOptions } from './pool.js';
export { ParsePool } from './pool.js';
export type { ParseWorkerConfig } from './protocol.js';
