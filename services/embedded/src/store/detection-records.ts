import type { Anomaly, AnomalyFilter, BucketMetric, SavedState, WriteOutcome } from '@vigie/common';
import { metricId, summarizeError } from '@vigie/common';
import type { SqliteDatabase } from './database.js';
import { boundedLimit, epochMs, FilterClauses } from './filter-clauses.js';

const DEFAULT_ANOMALY_LIMIT = 100;

/**
 * The `DetectionStore` side of the SQLite store: anomalies (one row per id, the latest
 * write replacing the earlier version), bucket metrics under their deterministic id, and
 * engine snapshots by key. A batch is one transaction; a record whose times are not dates
 * is `rejected` before it, the others are written.
 */
export class DetectionRecords {
  private readonly upsertAnomaly;
  private readonly upsertMetric;
  private readonly selectAnomaly;
  private readonly upsertState;
  private readonly selectState;

  constructor(private readonly db: SqliteDatabase) {
    // An older version never replaces a newer one (anomalyVersion: later `updated`, then
    // a close over an open): a processor that lost its partition may still write one.
    this.upsertAnomaly = db.prepare(
      `INSERT INTO anomalies (id, service, kind, state, start, updated, doc) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET service = excluded.service, kind = excluded.kind,
         state = excluded.state, start = excluded.start, updated = excluded.updated, doc = excluded.doc
       WHERE excluded.updated > anomalies.updated
         OR (excluded.updated = anomalies.updated AND (excluded.state = 'closed' OR anomalies.state = 'open'))`,
    );
    this.upsertMetric = db.prepare(
      'INSERT OR REPLACE INTO metrics (id, service, field, value, ts, doc) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.selectAnomaly = db.prepare<[string], { doc: string }>('SELECT doc FROM anomalies WHERE id = ?');
    this.upsertState = db.prepare(
      'INSERT OR REPLACE INTO detection_states (key, state, offset, saved_at) VALUES (?, ?, ?, ?)',
    );
    this.selectState = db.prepare<[string], { state: string; offset: string; saved_at: number }>(
      'SELECT state, offset, saved_at FROM detection_states WHERE key = ?',
    );
  }

  writeAnomalies(anomalies: Anomaly[]): WriteOutcome[] {
    return this.batch(anomalies, (a) => {
      const start = epochMs(a.start, 'start');
      const updated = epochMs(a.updated, 'updated');
      return () =>
        this.upsertAnomaly.run(a.id, a.service, a.kind, a.state, start, updated, JSON.stringify(a));
    });
  }

  writeMetrics(metrics: BucketMetric[]): WriteOutcome[] {
    return this.batch(metrics, (m) => {
      const ts = epochMs(m['@timestamp'], "'@timestamp'");
      return () =>
        this.upsertMetric.run(
          metricId(m),
          m.service,
          m.field ?? null,
          m.value ?? null,
          ts,
          JSON.stringify(m),
        );
    });
  }

  /** Most recently updated first, ties by id. */
  listAnomalies(filter: AnomalyFilter = {}): Anomaly[] {
    const clauses = new FilterClauses()
      .add(filter.service !== undefined, 'service = ?', filter.service ?? '')
      .add(filter.kind !== undefined, 'kind = ?', filter.kind ?? '')
      .add(filter.state !== undefined, 'state = ?', filter.state ?? '')
      .add(filter.since !== undefined, 'updated >= ?', filter.since ?? 0);
    const rows = this.db
      .prepare<unknown[], { doc: string }>(
        `SELECT doc FROM anomalies${clauses.where} ORDER BY updated DESC, id LIMIT ?`,
      )
      .all(...clauses.params, boundedLimit(filter.limit, DEFAULT_ANOMALY_LIMIT));
    return rows.map((row) => JSON.parse(row.doc) as Anomaly);
  }

  getAnomaly(id: string): Anomaly | undefined {
    const row = this.selectAnomaly.get(id);
    return row === undefined ? undefined : (JSON.parse(row.doc) as Anomaly);
  }

  saveState(key: string, state: SavedState): void {
    this.upsertState.run(key, state.state, state.offset, state.savedAt);
  }

  loadState(key: string): SavedState | undefined {
    const row = this.selectState.get(key);
    return row === undefined ? undefined : { state: row.state, offset: row.offset, savedAt: row.saved_at };
  }

  /**
   * `prepare` checks one record and returns its write, or throws to reject it; the writes
   * of the batch then run in one transaction, whose failure fails the whole call.
   */
  private batch<T>(records: T[], prepare: (record: T) => () => unknown): WriteOutcome[] {
    const writes: Array<() => unknown> = [];
    const outcomes = records.map((record): WriteOutcome => {
      try {
        writes.push(prepare(record));
        return { status: 'ok' };
      } catch (err) {
        return { status: 'rejected', reason: summarizeError(err).message };
      }
    });
    if (writes.length > 0) {
      this.db
        .transaction(() => {
          for (const write of writes) write();
        })
        .immediate();
    }
    return outcomes;
  }
}
