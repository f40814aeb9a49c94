export type { KafkaConnection, KafkaSaslOptions, KafkaTlsOptions } from './kafka/connection.js';
export { kafkaConnectionFromConfig } from './kafka/connection.js';
export type { KafkaBusOptions, KafkaProducerOptions } from './kafka/kafka-bus.js';
export { KafkaBus, slicesOf } from './kafka/kafka-bus.js';
