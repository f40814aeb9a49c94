import type {
  DeadLetter,
  EventContext,
  EventHistogram,
  FieldInfo,
  LogEvent,
  LogStore,
  SearchPage,
  SearchRequest,
  SearchScope,
  ServiceSeen,
  StoredLog,
  TimeRange,
  TopValues,
  WriteOutcome,
} from '@vigie/common';
import { QueryError, UnavailableError } from '@vigie/common';
import { migrate, openDatabase, type SqliteDatabase } from './database.js';
import { LogBrowsing } from './log-context.js';
import { LOG_MIGRATIONS } from './log-schema.js';
import { LogQueries } from './log-search.js';
import { LogWrites } from './log-writes.js';
import {
  applyRetention,
  type RetentionPolicy,
  type RetentionResult,
  scheduleRetention,
} from './retention.js';

/** Options of `SqliteStore`. */
export interface SqliteStoreOptions {
  /** The database file (created with its WAL beside it), or `:memory:`. */
  path: string;
}

/**
 * The embedded store of the all-in-one mode on one SQLite file (better-sqlite3, WAL,
 * FTS5). Each port's work lives in its own module; this class only owns the connection
 * and hands calls over. better-sqlite3 is synchronous: a call runs to completion on the
 * event loop, which for one process with a bounded batch size is cheaper than a thread hop.
 */
export class SqliteStore implements LogStore {
  readonly db: SqliteDatabase;
  private readonly writes: LogWrites;
  private readonly queries: LogQueries;
  private readonly browsing: LogBrowsing;
  private closed = false;

  constructor(options: SqliteStoreOptions) {
    this.db = openDatabase(options.path);
    // The tables exist as soon as the store does, so that its statements can be prepared once.
    migrate(this.db, LOG_MIGRATIONS);
    this.writes = new LogWrites(this.db);
    this.queries = new LogQueries(this.db);
    this.browsing = new LogBrowsing(this.db);
  }

  async healthcheck(): Promise<void> {
    this.guard(() => this.db.prepare('SELECT 1').get());
  }
  async setup(): Promise<void> {
    this.guard(() => migrate(this.db, LOG_MIGRATIONS));
  }
  async writeLogs(logs: StoredLog[]): Promise<WriteOutcome[]> {
    return this.guard(() => this.writes.writeLogs(logs));
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
