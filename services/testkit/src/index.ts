export { deletePrefix, esRequest } from './elasticsearch-http.js';
export { ENGINES, testLogger, uniqueName, waitFor } from './engines.js';
export { sampleEvent, sampleRecords } from './events.js';
export { describeLogBusContract } from './log-bus-contract.js';
export { describeLogStoreContract } from './log-store-contract.js';
export type { MemoryStoreFaults } from './memory-store.js';
export { MemoryStore } from './memory-store.js';
export { freePort, PrivateKafka } from './private-kafka.js';
export { scrapeMetric, scrapeMetrics, VIGIE_CLI, VigieProcess } from './processes.js';
