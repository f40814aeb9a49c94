import { Client, type ClientOptions, errors } from '@elastic/elasticsearch';
import type { DeadLetter, LogEvent, Logger, LogStore, StoredLog, WriteOutcome } from '@vigie/common';
import { UnavailableError } from '@vigie/common';
import { itemOutcome } from './bulk-outcome.js';
import { anomaliesTemplate, deadLetterTemplate, logIndexName, logsTemplate } from './templates.js';

/** How to reach Elasticsearch and how to name what Vigie creates there. */
export interface ElasticsearchStoreOptions {
  url: string;
  apiKey?: string;
  username?: string;
  password?: string;
  indexPrefix: string;
  requestTimeoutMs: number;
  totalFieldsLimit: number;
  logger: Logger;
}

const BULK_FILTER = ['errors', 'items.*.status', 'items.*.error'];

/**
 * `LogStore` on Elasticsearch 8.15+ or 9.x, the only module of Vigie that knows the
 * Elasticsearch client. The client's own retries are off: the caller decides what to
 * retry from the per-document outcomes, so nothing is dropped when retries run out.
 */
export class ElasticsearchStore implements LogStore {
  private readonly client: Client;
  private readonly prefix: string;
  private readonly logsAlias: string;
  private readonly deadLetterIndex: string;
  private closed = false;

  constructor(private readonly options: ElasticsearchStoreOptions) {
    const clientOptions: ClientOptions = {
      node: options.url,
      requestTimeout: options.requestTimeoutMs,
      maxRetries: 0,
      compression: false,
    };
    if (options.apiKey) clientOptions.auth = { apiKey: options.apiKey };
    else if (options.username)
      clientOptions.auth = { username: options.username, password: options.password ?? '' };
    this.client = new Client(clientOptions);
    this.prefix = options.indexPrefix;
    this.logsAlias = `${this.prefix}-logs`;
    this.deadLetterIndex = `${this.prefix}-deadletter`;
  }

  async healthcheck(): Promise<void> {
    try {
      await this.client.cluster.health({ timeout: '5s' });
    } catch (err) {
      throw new UnavailableError('Elasticsearch', err);
    }
  }

  async setup(): Promise<void> {
    await this.guard(async () => {
      await this.client.indices.putIndexTemplate(logsTemplate(this.prefix, this.options.totalFieldsLimit));
      await this.client.indices.putIndexTemplate(deadLetterTemplate(this.prefix));
      await this.client.indices.putIndexTemplate(anomaliesTemplate(this.prefix));
    });
  }

  writeLogs(logs: StoredLog[]): Promise<WriteOutcome[]> {
    const operations: unknown[] = [];
    for (const log of logs) {
      operations.push(
        { index: { _index: logIndexName(this.prefix, log.partitionTime), _id: log.id } },
        log.event,
      );
    }
    return this.bulk(operations, logs.length);
  }

  writeDeadLetters(letters: DeadLetter[]): Promise<WriteOutcome[]> {
    const operations: unknown[] = [];
    for (const letter of letters) {
      const { id, timestamp, ...rest } = letter;
      operations.push(
        { index: { _index: this.deadLetterIndex, _id: id } },
        { '@timestamp': new Date(timestamp).toISOString(), ...rest },
      );
    }
    return this.bulk(operations, letters.length);
  }

  async refresh(): Promise<void> {
    await this.guard(() =>
      this.client.indices.refresh({
        index: `${this.prefix}-*`,
        allow_no_indices: true,
        ignore_unavailable: true,
      }),
    );
  }

  async countLogs(filter: { serviceName?: string } = {}): Promise<number> {
    const query = filter.serviceName ? { term: { 'service.name': filter.serviceName } } : { match_all: {} };
    const response = await this.guard(() =>
      this.client.count({ index: this.logsAlias, query, allow_no_indices: true, ignore_unavailable: true }),
    );
    return response.count;
  }

  async getLog(id: string): Promise<LogEvent | undefined> {
    const response = await this.guard(() =>
      this.client.search<LogEvent>({
        index: this.logsAlias,
        query: { ids: { values: [id] } },
        size: 1,
        allow_no_indices: true,
        ignore_unavailable: true,
      }),
    );
    return response.hits.hits[0]?._source;
  }

  async listDeadLetters(limit: number): Promise<DeadLetter[]> {
    type Stored = Omit<DeadLetter, 'id' | 'timestamp'> & { '@timestamp': string };
    const response = await this.guard(() =>
      this.client.search<Stored>({
        index: this.deadLetterIndex,
        sort: [{ '@timestamp': 'desc' }],
        size: limit,
        allow_no_indices: true,
        ignore_unavailable: true,
      }),
    );
    return response.hits.hits.flatMap((hit) => {
      if (!hit._source || hit._id === undefined) return [];
      const { '@timestamp': at, ...rest } = hit._source;
      return [{ id: hit._id, timestamp: Date.parse(at), ...rest }];
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }

  private async bulk(operations: unknown[], count: number): Promise<WriteOutcome[]> {
    if (count === 0) return [];
    const response = await this.guard(() =>
      this.client.bulk({ operations, refresh: false, filter_path: BULK_FILTER }),
    );
    if (!response.errors) return new Array<WriteOutcome>(count).fill({ status: 'ok' });
    return response.items.map(itemOutcome);
  }

  /** Turns connection failures, timeouts and 429/5xx answers into `UnavailableError`. */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (
        err instanceof errors.ConnectionError ||
        err instanceof errors.TimeoutError ||
        err instanceof errors.NoLivingConnectionsError ||
        (err instanceof errors.ResponseError && (err.statusCode === 429 || (err.statusCode ?? 0) >= 500))
      ) {
        throw new UnavailableError('Elasticsearch', err);
      }
      throw err;
    }
  }
}
