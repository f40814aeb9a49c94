import type { Migration } from './database.js';

/**
 * The detection side's tables. Each record is kept whole as JSON (`doc`), with real columns
 * for what lists filter and sort on. Times are epoch ms so that they sort as numbers.
 * `metrics` is keyed by `metricId` (series and bucket start), so a replay overwrites; its
 * (service, field, value, ts) index serves the charts' reads of one series over a range.
 * `detection_states` holds one engine snapshot per key, replaced on every save.
 */
export const DETECTION_MIGRATIONS: readonly Migration[] = [
  {
    id: 'detection-1',
    sql: `
      CREATE TABLE anomalies (
        id TEXT PRIMARY KEY,
        service TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        start INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX anomalies_updated ON anomalies (updated, id);
      CREATE INDEX anomalies_service_updated ON anomalies (service, updated);
      CREATE TABLE metrics (
        id TEXT PRIMARY KEY,
        service TEXT NOT NULL,
        field TEXT,
        value TEXT,
        ts INTEGER NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX metrics_series_ts ON metrics (service, field, value, ts);
      CREATE INDEX metrics_ts ON metrics (ts);
      CREATE TABLE detection_states (
        key TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        offset TEXT NOT NULL,
        saved_at INTEGER NOT NULL
      );
    `,
  },
];
