import type { Client } from '@elastic/elasticsearch';
import { UnavailableError } from '@vigie/common';
import { createElasticsearchClient, type ElasticsearchConnection } from './client.js';
import { keyword, object, singleIndexTemplate } from './templates.js';

/**
 * One audit record as stored (the API's `AuditRecord`: who searched what, when, with
 * which outcome). Query text is attacker-influenced: it is kept, not indexed as text.
 */
export interface AuditDocument {
  '@timestamp': string;
  actor: { key_id: string | null; name: string; role: string };
  http: { method: string; route: string; status: number };
  query: { q?: string; from?: string; to?: string };
  result_count?: number;
  source_ip: string;
  request_id: string;
}

/** How to reach Elasticsearch for the audit index `<indexPrefix>-audit`. */
export interface ElasticsearchAuditLogOptions extends ElasticsearchConnection {
  indexPrefix: string;
}

/**
 * The API's audit log in the `<prefix>-audit` index. `write` resolves once Elasticsearch
 * acknowledged the document (no refresh: searches see it within a second). Call
 * `setup()` once at start-up; `close()` is idempotent.
 */
export class ElasticsearchAuditLog {
  private readonly client: Client;
  /** The index the records go to. */
  readonly index: string;
  private closed = false;

  constructor(options: ElasticsearchAuditLogOptions) {
    this.client = createElasticsearchClient(options);
    this.index = `${options.indexPrefix}-audit`;
  }

  /** Installs the index template (explicit mapping, one shard). */
  async setup(): Promise<void> {
    await this.guard(() =>
      this.client.indices.putIndexTemplate(
        singleIndexTemplate(this.index, 'Audit log of the Vigie API.', {
          '@timestamp': { type: 'date' },
          actor: object({ key_id: keyword, name: keyword, role: keyword }),
          http: object({ method: keyword, route: keyword, status: { type: 'short' } }),
          query: object({
            q: { type: 'keyword', index: false, doc_values: false },
            from: keyword,
            to: keyword,
          }),
          result_count: { type: 'long' },
          source_ip: { type: 'ip' },
          request_id: keyword,
        }),
      ),
    );
  }

  async write(record: AuditDocument): Promise<void> {
    await this.guard(() => this.client.index({ index: this.index, document: record }));
  }

  /** The latest records, newest first (`refresh` first when a test must read its own writes). */
  async recent(options: { limit?: number; refresh?: boolean } = {}): Promise<AuditDocument[]> {
    if (options.refresh)
      await this.guard(() => this.client.indices.refresh({ index: this.index, ignore_unavailable: true }));
    const response = await this.guard(() =>
      this.client.search<AuditDocument>({
        index: this.index,
        sort: [{ '@timestamp': 'desc' }],
        size: options.limit ?? 100,
        ignore_unavailable: true,
        allow_no_indices: true,
      }),
    );
    return response.hits.hits.flatMap((hit) => (hit._source ? [hit._source] : []));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw new UnavailableError('Elasticsearch audit index', err);
    }
  }
}
