export {
  sampleAttempt,
  sampleFeedback,
  sampleIncident,
  sampleNotification,
  sampleOutboxEntry,
  sampleRule,
  sampleSilence,
} from './alert-samples.js';
export { describeAlertStoreContract } from './alert-store-contract.js';
export type {
  AlertmanagerAlert,
  AlertmanagerAlertFilter,
  AlertmanagerNotification,
  AlertmanagerWebhookAlert,
} from './alertmanager.js';
export { alertmanagerBinary, LocalAlertmanager } from './alertmanager.js';
export type { CapturingSinkOptions, TextLine } from './capturing-sink.js';
export { CapturingSink } from './capturing-sink.js';
export { describeDetectionStoreContract, sampleAnomaly } from './detection-store-contract.js';
export { deletePrefix, esRequest } from './elasticsearch-http.js';
export { ENGINES, testLogger, uniqueName, waitFor } from './engines.js';
export { sampleEvent, sampleRecords } from './events.js';
export type { SeenRequest } from './https-elasticsearch.js';
export { HttpsElasticsearchStandIn } from './https-elasticsearch.js';
export { describeLogBusContract } from './log-bus-contract.js';
export type { SearchableStore } from './log-search-contract.js';
export { describeLogSearchContract } from './log-search-contract.js';
export { describeLogStoreContract } from './log-store-contract.js';
export type { MemoryAlertStoreFaults } from './memory-alert-store.js';
export { MemoryAlertStore } from './memory-alert-store.js';
export { MemorySearch } from './memory-search.js';
export type { MemoryStoreFaults } from './memory-store.js';
export { MemoryStore } from './memory-store.js';
export { metricValue } from './metrics.js';
export { freePort, PrivateKafka } from './private-kafka.js';
export { scrapeMetric, scrapeMetrics, VIGIE_CLI, VigieProcess } from './processes.js';
export * from './receivers/index.js';
export type { SaslUser } from './secured-kafka.js';
export { SecuredKafka } from './secured-kafka.js';
export type { TestCertificates } from './test-ca.js';
export { makeTestCertificates } from './test-ca.js';
export * from './traffic/index.js';
export { until } from './until.js';
