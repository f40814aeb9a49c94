export type { Checkpoint, CheckpointFs, CheckpointStep } from './checkpoint-store.js';
export { CheckpointStore } from './checkpoint-store.js';
export type { FileSourceOptions } from './file-source.js';
export { FileSource } from './file-source.js';
export { PATTERNS } from './multiline.js';
