export type { KafkaBusOptions } from './kafka/kafka-bus.js';
export { KafkaBus, slicesOf } from './kafka/kafka-bus.js';
