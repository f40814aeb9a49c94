export type { ElasticsearchAlertStoreOptions } from './elasticsearch/alert-store.js';
export { ElasticsearchAlertStore } from './elasticsearch/alert-store.js';
export type { AuditDocument, ElasticsearchAuditLogOptions } from './elasticsearch/audit.js';
export { ElasticsearchAuditLog } from './elasticsearch/audit.js';
export type { ElasticsearchStoreOptions } from './elasticsearch/elasticsearch-store.js';
export { ElasticsearchStore } from './elasticsearch/elasticsearch-store.js';
export {
  environmentIndexSegment,
  LogIndexRouter,
  logIndexName,
  parseLogIndexName,
} from './elasticsearch/log-indices.js';
export type {
  ElasticsearchQuery,
  ElasticsearchQueryOptions,
  ElasticsearchRange,
} from './elasticsearch/query.js';
export { toElasticsearchQuery } from './elasticsearch/query.js';
export type {
  ElasticsearchRetentionOptions,
  RetentionPassResult,
} from './elasticsearch/retention.js';
export { ElasticsearchRetention } from './elasticsearch/retention.js';
export type {
  EnvironmentRetention,
  LogIndexStats,
  LogRetentionPolicy,
  PlannedDeletion,
  RetentionReason,
} from './elasticsearch/retention-plan.js';
export { planLogRetention } from './elasticsearch/retention-plan.js';
