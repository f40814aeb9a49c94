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
import { QueryError, UnavailableError } from '@vigie/common';
import { countAnomalies, searchAnomalies } from './anomaly-search.js';
import { migrate, openDatabase, type SqliteDatabase } from './database.js';
import { DetectionRecords } from './detection-records.js';
import { DETECTION_MIGRATIONS } from './detection-schema.js';
import { LogBrowsing } from './log-context.js';
import { toLogRow } from './log-rows.js';
import { LOG_MIGRATIONS } from './log-schema.js';
import { LogQueries } from './log-search.js';
import { LogWrites } from './log-writes.js';
import { listMetrics, routeLatency, serviceSeries } from './metric-search.js';
import {
  applyRetention,
  type RetentionPolicy,
  type RetentionResult,
  scheduleRetention,
} from './retention.js';
import { LogWriterThread } from './writer/thread.js';

/** Options of `SqliteStore`. */
export interface SqliteStoreOptions {
  /** The database file (created with its WAL beside it), or `:memory:`. */
  path: string;
  /**
   * Write logs on a thread of their own, with a second connection (default: no, inline;
   * `vigie all` turns it on). Ignored for `:memory:`, which another connection cannot open.
   */
  logWriterThread?: boolean;
}

/**
 * The embedded store of the all-in-one mode on one SQLite file (better-sqlite3, WAL,
 * FTS5). Each port's work lives in its own module; this class only owns the connection
 * and hands calls over. better-sqlite3 is synchronous: a call runs to completion on the
 * event loop, which for reads and small writes is cheaper than a thread hop; the bulk of
 * the writing, logs, goes to a writer thread with its own connection (`LogWriterThread`).
 */
export class SqliteStore implements LogStore, DetectionStore, LogSearch {
  readonly db: SqliteDatabase;
  private readonly writes: LogWrites;
  private readonly writer: LogWriterThread | undefined;
  private readonly queries: LogQueries;
  private readonly browsing: LogBrowsing;
  private readonly detection: DetectionRecords;
  private closed = false;

  constructor(options: SqliteStoreOptions) {
    this.db = openDatabase(options.path);
    // The tables exist as soon as the store does, so that its statements can be prepared once.
    migrate(this.db, LOG_MIGRATIONS);
    migrate(this.db, DETECTION_MIGRATIONS);
    this.writes = new LogWrites(this.db);
    if (options.path !== ':memory:' && options.logWriterThread === true)
      this.writer = new LogWriterThread(options.path);
    this.queries = new LogQueries(this.db);
    this.browsing = new LogBrowsing(this.db);
    this.detection = new DetectionRecords(this.db);
  }

  async healthcheck(): Promise<void> {
    this.guard(() => this.db.prepare('SELECT 1').get());
  }
  async setup(): Promise<void> {
    this.guard(() => migrate(this.db, LOG_MIGRATIONS));
  }
  async writeLogs(logs: StoredLog[]): Promise<WriteOutcome[]> {
    if (!this.writer) return this.guard(() => this.writes.writeLogs(logs));
    if (this.closed) throw new UnavailableError('The SQLite store (closed)');
    return this.writer.write(logs.map(toLogRow));
  }
  async writeDeadLetters(letters: DeadLetter[]): Promise<WriteOutcome[]> {
    return this.guard(() => this.writes.writeDeadLetters(letters));
  }
  /** Every committed write is visible to the next read already. */
  async refresh(): Promise<void> {}
  async countLogs(filter?: { serviceName?: string }): Promise<number> {
    return this.guard(() => this.writes.countLogs(filter));
  }
  async getLog(id: string): Promise<LogEvent | undefined> {
    return this.guard(() => this.writes.getLog(id));
  }
  async listDeadLetters(limit: number): Promise<DeadLetter[]> {
    return this.guard(() => this.writes.listDeadLetters(limit));
  }

  async search(request: SearchRequest): Promise<SearchPage> {
    return this.guard(() => this.queries.search(request));
  }
  async histogram(scope: SearchScope, intervalMs: number): Promise<EventHistogram> {
    return this.guard(() => this.queries.histogram(scope, intervalMs));
  }
  async topValues(scope: SearchScope, field: string, size: number): Promise<TopValues> {
    return this.guard(() => this.queries.topValues(scope, field, size));
  }
  async fields(scope: SearchScope): Promise<FieldInfo[]> {
    return this.guard(() => this.browsing.fields(scope));
  }
  async context(id: string, before: number, after: number): Promise<EventContext | undefined> {
    return this.guard(() => this.browsing.context(id, before, after));
  }
  async listServices(range: TimeRange, limit: number): Promise<ServiceSeen[]> {
    return this.guard(() => this.browsing.listServices(range, limit));
  }

  async setupDetection(): Promise<void> {
    this.guard(() => migrate(this.db, DETECTION_MIGRATIONS));
  }
  async writeAnomalies(anomalies: Anomaly[]): Promise<WriteOutcome[]> {
    return this.guard(() => this.detection.writeAnomalies(anomalies));
  }
  async writeMetrics(metrics: BucketMetric[]): Promise<WriteOutcome[]> {
    return this.guard(() => this.detection.writeMetrics(metrics));
  }
  async listAnomalies(filter?: AnomalyFilter): Promise<Anomaly[]> {
    return this.guard(() => this.detection.listAnomalies(filter));
  }
  async getAnomaly(id: string): Promise<Anomaly | undefined> {
    return this.guard(() => this.detection.getAnomaly(id));
  }
  async saveState(key: string, state: SavedState): Promise<void> {
    this.guard(() => this.detection.saveState(key, state));
  }
  async loadState(key: string): Promise<SavedState | undefined> {
    return this.guard(() => this.detection.loadState(key));
  }

  async searchAnomalies(query: AnomalyQuery): Promise<Anomaly[]> {
    return this.guard(() => searchAnomalies(this.db, query));
  }
  async countAnomalies(range: TimeRange): Promise<AnomalyCount[]> {
    return this.guard(() => countAnomalies(this.db, range));
  }
  async listMetrics(query: MetricQuery): Promise<BucketMetric[]> {
    return this.guard(() => listMetrics(this.db, query));
  }
  async serviceSeries(range: TimeRange, intervalMs: number, limit: number): Promise<ServiceSeries[]> {
    return this.guard(() => serviceSeries(this.db, range, intervalMs, limit));
  }
  async routeLatency(query: RouteLatencyQuery): Promise<RouteLatency[]> {
    return this.guard(() => routeLatency(this.db, query));
  }

  /** One retention pass now (see `applyRetention`). */
  applyRetention(policy: RetentionPolicy, now = Date.now()): RetentionResult {
    return this.guard(() => applyRetention(this.db, policy, now));
  }

  /** Retention every `intervalMs` (an hour by default) until `close`. */
  startRetention(
    policy: RetentionPolicy,
    report: (outcome: { result?: RetentionResult; error?: unknown }) => void,
    intervalMs = 3_600_000,
  ): { stop(): void } {
    const schedule = scheduleRetention(() => this.applyRetention(policy), intervalMs, report);
    this.stops.push(schedule.stop);
    return schedule;
  }
  private readonly stops: Array<() => void> = [];

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.stops) stop();
    await this.writer?.close();
    this.db.close();
  }

  /** Runs a call on the database: a query error is the caller's, anything else means the store failed. */
  protected guard<T>(call: () => T): T {
    if (this.closed) throw new UnavailableError('The SQLite store (closed)');
    try {
      return call();
    } catch (err) {
      if (err instanceof QueryError || err instanceof UnavailableError) throw err;
      throw new UnavailableError('The SQLite store', err);
    }
  }
}
