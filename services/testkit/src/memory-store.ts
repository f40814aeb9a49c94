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
import { memoryRouteLatency } from './memory-route-latency.js';
import { MemorySearch } from './memory-search.js';

/** Faults a `MemoryStore` can play, to test what sits above a store. */
export interface MemoryStoreFaults {
  /** The next N write requests fail as a whole (storage down). */
  unavailableWrites?: number;
  /** Documents answered with `retry` that many times before they are accepted. */
  retryTimes?: Map<string, number>;
  /** Log events refused for good, with the reason (dead letters are always accepted). */
  reject?: Map<string, string>;
}

/**
 * An in-memory `LogStore`, `DetectionStore` and `LogSearch`: the test double of the
 * storage ports. It passes the same contract suites as the real stores, and can play faults.
 */
export class MemoryStore implements LogStore, DetectionStore, LogSearch {
  readonly logs = new Map<string, StoredLog>();
  readonly anomalies = new Map<string, Anomaly>();
  readonly metrics = new Map<string, BucketMetric>();
  readonly states = new Map<string, SavedState>();
  readonly deadLetters = new Map<string, DeadLetter>();
  /** Number of write requests received, successful or not. */
  writeRequests = 0;

  private readonly searcher = new MemorySearch(this);

  constructor(readonly faults: MemoryStoreFaults = {}) {}

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
    return this.searcher.searchAnomalies(query);
  }
  countAnomalies(range: TimeRange): Promise<AnomalyCount[]> {
    return this.searcher.countAnomalies(range);
  }
  listMetrics(query: MetricQuery): Promise<BucketMetric[]> {
    return this.searcher.listMetrics(query);
  }
  serviceSeries(range: TimeRange, intervalMs: number, limit: number): Promise<ServiceSeries[]> {
    return this.searcher.serviceSeries(range, intervalMs, limit);
  }
  listServices(range: TimeRange, limit: number): Promise<ServiceSeen[]> {
    return this.searcher.listServices(range, limit);
  }
  async routeLatency(query: RouteLatencyQuery): Promise<RouteLatency[]> {
    return memoryRouteLatency(this.metrics.values(), query);
  }

  async healthcheck(): Promise<void> {}
  async setup(): Promise<void> {}
  async refresh(): Promise<void> {}
  async close(): Promise<void> {}

  async writeLogs(logs: StoredLog[]): Promise<WriteOutcome[]> {
    return this.write(logs, (log) => this.logs.set(log.id, structuredClone(log)), this.faults.reject);
  }

  async writeDeadLetters(letters: DeadLetter[]): Promise<WriteOutcome[]> {
    return this.write(letters, (letter) => this.deadLetters.set(letter.id, { ...letter }), undefined);
  }

  async setupDetection(): Promise<void> {}

  async writeAnomalies(anomalies: Anomaly[]): Promise<WriteOutcome[]> {
    return this.write(
      anomalies.map((anomaly) => ({ ...anomaly })),
      (anomaly) => {
        const stored = this.anomalies.get(anomaly.id);
        if (stored && anomalyVersion(stored) > anomalyVersion(anomaly)) return;
        this.anomalies.set(anomaly.id, structuredClone(anomaly));
      },
      undefined,
    );
  }

  async writeMetrics(metrics: BucketMetric[]): Promise<WriteOutcome[]> {
    return this.write(
      metrics.map((metric) => ({ id: metricId(metric), metric })),
      (doc) => this.metrics.set(doc.id, structuredClone(doc.metric)),
      undefined,
    );
  }

  async listAnomalies(filter: AnomalyFilter = {}): Promise<Anomaly[]> {
    return [...this.anomalies.values()]
      .filter(
        (a) =>
          (filter.service === undefined || a.service === filter.service) &&
          (filter.kind === undefined || a.kind === filter.kind) &&
          (filter.state === undefined || a.state === filter.state) &&
          (filter.since === undefined || Date.parse(a.updated) >= filter.since),
      )
      .sort((a, b) => Date.parse(b.updated) - Date.parse(a.updated))
      .slice(0, filter.limit ?? 100)
      .map((a) => structuredClone(a));
  }

  async getAnomaly(id: string): Promise<Anomaly | undefined> {
    const anomaly = this.anomalies.get(id);
    return anomaly ? structuredClone(anomaly) : undefined;
  }

  async saveState(key: string, state: SavedState): Promise<void> {
    if ((this.faults.unavailableWrites ?? 0) > 0) {
      this.faults.unavailableWrites = (this.faults.unavailableWrites ?? 0) - 1;
      throw new UnavailableError('MemoryStore');
    }
    this.states.set(key, { ...state });
  }

  async loadState(key: string): Promise<SavedState | undefined> {
    const state = this.states.get(key);
    return state ? { ...state } : undefined;
  }

  async countLogs(filter: { serviceName?: string } = {}): Promise<number> {
    if (!filter.serviceName) return this.logs.size;
    return [...this.logs.values()].filter((log) => log.event.service.name === filter.serviceName).length;
  }

  async getLog(id: string): Promise<LogEvent | undefined> {
    return this.logs.get(id)?.event;
  }

  async listDeadLetters(limit: number): Promise<DeadLetter[]> {
    return [...this.deadLetters.values()].sort((a, b) => b.timestamp - a.timestamp).slice(0, limit);
  }

  private write<T extends { id: string }>(
    docs: T[],
    save: (doc: T) => void,
    reject: Map<string, string> | undefined,
  ): WriteOutcome[] {
    this.writeRequests++;
    if ((this.faults.unavailableWrites ?? 0) > 0) {
      this.faults.unavailableWrites = (this.faults.unavailableWrites ?? 0) - 1;
      throw new UnavailableError('MemoryStore');
    }
    return docs.map((doc): WriteOutcome => {
      const rejection = reject?.get(doc.id);
      if (rejection !== undefined) return { status: 'rejected', reason: rejection };
      const retries = this.faults.retryTimes?.get(doc.id) ?? 0;
      if (retries > 0) {
        this.faults.retryTimes?.set(doc.id, retries - 1);
        return { status: 'retry', reason: 'es_rejected_execution_exception: queue full' };
      }
      save(doc);
      return { status: 'ok' };
    });
  }
}
