export type { KafkaEventSinkOptions } from './kafka/kafka-sink.js';
export { KafkaEventSink } from './kafka/kafka-sink.js';
export type { BackpressureReason } from './kafka/metrics.js';
export type { SpoolChunk, SpoolOptions, SpoolPosition } from './kafka/spool.js';
export { Spool, SpoolRefusedError } from './kafka/spool.js';
export type { SpoolFile, SpoolFs } from './kafka/spool-fs.js';
export { nodeSpoolFs } from './kafka/spool-fs.js';
