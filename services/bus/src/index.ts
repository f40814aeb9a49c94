export type { KafkaBusOptions } from './kafka/kafka-bus.js';
export { KafkaBus } from './kafka/kafka-bus.js';
