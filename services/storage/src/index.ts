export type { ElasticsearchAlertStoreOptions } from './elasticsearch/alert-store.js';
export { ElasticsearchAlertStore } from './elasticsearch/alert-store.js';
export type { AuditDocument, ElasticsearchAuditLogOptions } from './elasticsearch/audit.js';
export { ElasticsearchAuditLog } from './elasticsearch/audit.js';
export type { ElasticsearchStoreOptions } from './elasticsearch/elasticsearch-store.js';
export { ElasticsearchStore } from './elasticsearch/elasticsearch-store.js';
export type {
  ElasticsearchQuery,
  ElasticsearchQueryOptions,
  ElasticsearchRange,
} from './elasticsearch/query.js';
export { toElasticsearchQuery } from './elasticsearch/query.js';
export { logIndexName } from './elasticsearch/templates.js';
