import { type Client, errors } from '@elastic/elasticsearch';
import type {
  Anomaly,
  AnomalyCount,
  AnomalyFilter,
  AnomalyQuery,
  BucketMetric,
  DeadLetter,
  DetectionStore,
  EventContext,
  EventHistogram,
  FieldInfo,
  LogEvent,
  Logger,
  LogSearch,
  LogStore,
  MetricQuery,
  RouteLatency,
  RouteLatencyQuery,
  SavedState,
  SearchPage,
  SearchRequest,
  SearchScope,
  ServiceSeen,
  ServiceSeries,
  StoredLog,
  TimeRange,
  TopValues,
  WriteOutcome,
} from '@vigie/common';
import { anomalyVersion, metricId, UnavailableError } from '@vigie/common';
import { itemOutcome } from './bulk-outcome.js';
import { createElasticsearchClient, type ElasticsearchConnection, elasticsearchRefusal } from './client.js';
import { anomaliesTemplate, metricsTemplate, stateTemplate } from './detection-templates.js';
import { ElasticsearchOverview } from './elasticsearch-overview.js';
import { ElasticsearchSearch } from './elasticsearch-search.js';
import { LogIndexRouter } from './log-indices.js';
import { deadLetterTemplate, logsTemplate } from './templates.js';

/** How to reach Elasticsearch and how to name what Vigie creates there. */
export interface ElasticsearchStoreOptions extends ElasticsearchConnection {
  indexPrefix: string;
  totalFieldsLimit: number;
  /** Primary shards of the daily log indices (default 1). */
  logsPrimaryShards?: number;
  /** Environments (exact `service.environment` values) whose logs go to indices of their own. */
  retention?: { environments?: Record<string, unknown> };
  logger: Logger;
}

const BULK_FILTER = ['errors', 'items.*.status', 'items.*.error'];

/**
 * `LogStore`, `DetectionStore` and `LogSearch` on Elasticsearch 8.15+ or 9.x, the only
 * module of Vigie that knows the Elasticsearch client. The client's own retries are off: the caller decides what to
 * retry from the per-document outcomes, so nothing is dropped when retries run out.
 */
export class ElasticsearchStore implements LogStore, DetectionStore, LogSearch {
  private readonly client: Client;
  private readonly prefix: string;
  private readonly logsAlias: string;
  private readonly deadLetterIndex: string;
  private readonly searcher: ElasticsearchSearch;
  private readonly overview: ElasticsearchOverview;
  private readonly logIndices: LogIndexRouter;
  private closed = false;

  constructor(private readonly options: ElasticsearchStoreOptions) {
    this.client = createElasticsearchClient(options);
    this.prefix = options.indexPrefix;
    this.logsAlias = `${this.prefix}-logs`;
    this.deadLetterIndex = `${this.prefix}-deadletter`;
    this.logIndices = new LogIndexRouter(this.prefix, Object.keys(options.retention?.environments ?? {}));
    this.searcher = new ElasticsearchSearch(this.client, this.prefix, (call) => this.guard(call));
    this.overview = new ElasticsearchOverview(this.client, this.prefix, (call) => this.guard(call));
  }

  search(request: SearchRequest): Promise<SearchPage> {
    return this.searcher.search(request);
  }
  histogram(scope: SearchScope, intervalMs: number): Promise<EventHistogram> {
    return this.searcher.histogram(scope, intervalMs);
  }
  fields(scope: SearchScope): Promise<FieldInfo[]> {
    return this.searcher.fields(scope);
  }
  topValues(scope: SearchScope, field: string, size: number): Promise<TopValues> {
    return this.searcher.topValues(scope, field, size);
  }
  context(id: string, before: number, after: number): Promise<EventContext | undefined> {
    return this.searcher.context(id, before, after);
  }
  searchAnomalies(query: AnomalyQuery): Promise<Anomaly[]> {
    return this.overview.searchAnomalies(query);
  }
  countAnomalies(range: TimeRange): Promise<AnomalyCount[]> {
    return this.overview.countAnomalies(range);
  }
  listMetrics(query: MetricQuery): Promise<BucketMetric[]> {
    return this.overview.listMetrics(query);
  }
  serviceSeries(range: TimeRange, intervalMs: number, limit: number): Promise<ServiceSeries[]> {
    return this.overview.serviceSeries(range, intervalMs, limit);
  }
  listServices(range: TimeRange, limit: number): Promise<ServiceSeen[]> {
    return this.overview.listServices(range, limit);
  }
  routeLatency(query: RouteLatencyQuery): Promise<RouteLatency[]> {
    return this.overview.routeLatency(query);
  }

  async healthcheck(): Promise<void> {
    try {
      await this.client.cluster.health({ timeout: '5s' });
    } catch (err) {
      throw elasticsearchRefusal(err, this.options) ?? new UnavailableError('Elasticsearch', err);
    }
  }

  async setup(): Promise<void> {
    await this.guard(async () => {
      await this.client.indices.putIndexTemplate(
        logsTemplate(this.prefix, this.options.totalFieldsLimit, this.options.logsPrimaryShards),
      );
      await this.client.indices.putIndexTemplate(deadLetterTemplate(this.prefix));
    });
  }

  async setupDetection(): Promise<void> {
    await this.guard(async () => {
      await this.client.indices.putIndexTemplate(anomaliesTemplate(this.prefix));
      await this.client.indices.putIndexTemplate(metricsTemplate(this.prefix));
      await this.client.indices.putIndexTemplate(stateTemplate(this.prefix));
    });
  }

  writeAnomalies(anomalies: Anomaly[]): Promise<WriteOutcome[]> {
    const operations: unknown[] = [];
    for (const anomaly of anomalies) {
      // External versions: an older version (from a processor that lost the partition)
      // never replaces a newer one, and writing the same version again is harmless.
      operations.push(
        {
          index: {
            _index: `${this.prefix}-anomalies`,
            _id: anomaly.id,
            version: anomalyVersion(anomaly),
            version_type: 'external_gte',
          },
        },
        { '@timestamp': anomaly.start, ...anomaly },
      );
    }
    return this.bulk(operations, anomalies.length, { externalVersions: true });
  }

  writeMetrics(metrics: BucketMetric[]): Promise<WriteOutcome[]> {
    const operations: unknown[] = [];
    for (const metric of metrics) {
      operations.push({ index: { _index: `${this.prefix}-metrics`, _id: metricId(metric) } }, metric);
    }
    return this.bulk(operations, metrics.length);
  }

  async listAnomalies(filter: AnomalyFilter = {}): Promise<Anomaly[]> {
    const must: object[] = [];
    if (filter.service) must.push({ term: { service: filter.service } });
    if (filter.kind) must.push({ term: { kind: filter.kind } });
    if (filter.state) must.push({ term: { state: filter.state } });
    if (filter.since !== undefined)
      must.push({ range: { updated: { gte: new Date(filter.since).toISOString() } } });
    const response = await this.guard(() =>
      this.client.search<Anomaly & { '@timestamp': string }>({
        index: `${this.prefix}-anomalies`,
        query: { bool: { filter: must } },
        sort: [{ updated: 'desc' }],
        size: filter.limit ?? 100,
        allow_no_indices: true,
        ignore_unavailable: true,
      }),
    );
    return response.hits.hits.flatMap((hit) => (hit._source ? [withoutTimestamp(hit._source)] : []));
  }

  async getAnomaly(id: string): Promise<Anomaly | undefined> {
    const response = await this.guard(() =>
      this.client.get<Anomaly & { '@timestamp': string }>(
        { index: `${this.prefix}-anomalies`, id },
        { ignore: [404] },
      ),
    );
    return response.found && response._source ? withoutTimestamp(response._source) : undefined;
  }

  async saveState(key: string, state: SavedState): Promise<void> {
    await this.guard(() =>
      this.client.index({
        index: `${this.prefix}-state`,
        id: key,
        document: {
          state: state.state,
          offset: state.offset,
          savedAt: new Date(state.savedAt).toISOString(),
        },
        refresh: false,
      }),
    );
  }

  async loadState(key: string): Promise<SavedState | undefined> {
    type Stored = { state: string; offset: string; savedAt: string };
    // A get is real-time: a state saved just before a crash is found without a refresh.
    const response = await this.guard(() =>
      this.client.get<Stored>({ index: `${this.prefix}-state`, id: key }, { ignore: [404] }),
    );
    const source = response.found ? response._source : undefined;
    return source
      ? { state: source.state, offset: source.offset, savedAt: Date.parse(source.savedAt) }
      : undefined;
  }

  writeLogs(logs: StoredLog[]): Promise<WriteOutcome[]> {
    const operations: unknown[] = [];
    for (const log of logs) {
      operations.push(
        {
          index: {
            _index: this.logIndices.indexFor(log.partitionTime, log.event.service?.environment),
            _id: log.id,
          },
        },
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

  private async bulk(
    operations: unknown[],
    count: number,
    options: { externalVersions?: boolean } = {},
  ): Promise<WriteOutcome[]> {
    if (count === 0) return [];
    const response = await this.guard(() =>
      this.client.bulk({ operations, refresh: false, filter_path: BULK_FILTER }),
    );
    if (!response.errors) return new Array<WriteOutcome>(count).fill({ status: 'ok' });
    return response.items.map((item) => itemOutcome(item, options));
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

function withoutTimestamp(source: Anomaly & { '@timestamp'?: string }): Anomaly {
  const { '@timestamp': _, ...anomaly } = source;
  return anomaly;
}
