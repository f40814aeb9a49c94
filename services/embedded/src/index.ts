// Embedded engines for the all-in-one mode: a durable file-based bus and a SQLite store
// behind the same ports as Kafka and Elasticsearch, so `vigie all` runs on a laptop
// without either.
export type { FileBusOptions } from './bus/file-bus.js';
export { FileBus } from './bus/file-bus.js';
export { ALERT_MIGRATIONS } from './store/alert-schema.js';
export { SqliteAlertStore } from './store/alert-store.js';
export { type Migration, migrate, openDatabase, type SqliteDatabase } from './store/database.js';
export { DETECTION_MIGRATIONS } from './store/detection-schema.js';
export { LOG_MIGRATIONS } from './store/log-schema.js';
export { type RetentionPolicy, type RetentionResult, usedBytes } from './store/retention.js';
export { SqliteStore, type SqliteStoreOptions } from './store/sqlite-store.js';
