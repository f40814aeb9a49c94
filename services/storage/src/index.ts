export type { ElasticsearchStoreOptions } from './elasticsearch/elasticsearch-store.js';
export { ElasticsearchStore } from './elasticsearch/elasticsearch-store.js';
export { logIndexName } from './elasticsearch/templates.js';
