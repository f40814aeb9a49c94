export type { KafkaBusOptions, KafkaProducerOptions } from './kafka/kafka-bus.js';
export { KafkaBus, slicesOf } from './kafka/kafka-bus.js';
