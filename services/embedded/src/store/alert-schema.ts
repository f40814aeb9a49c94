import type { Migration } from './database.js';

/**
 * The alerting side's tables. Each record is kept whole as JSON (`doc`, without the
 * version, which has its own column), with real columns for what lists filter and sort on;
 * times are epoch ms. Incidents and outbox entries carry `version` for conditional writes.
 * The partial index on `outbox` covers exactly what `claimDue` looks at: pending entries by
 * due time, so delivered and dead entries cost claims nothing.
 */
export const ALERT_MIGRATIONS: readonly Migration[] = [
  {
    id: 'alerts-1',
    sql: `
      CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        service TEXT NOT NULL,
        status TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        version INTEGER NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX incidents_updated ON incidents (updated_at, id);
      CREATE INDEX incidents_service_updated ON incidents (service, updated_at);
      CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        lease_until INTEGER,
        version INTEGER NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';
      CREATE INDEX outbox_created ON outbox (created_at, id);
      CREATE INDEX outbox_incident ON outbox (incident_id, created_at);
      CREATE TABLE delivery_attempts (
        id TEXT PRIMARY KEY,
        receiver TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX delivery_attempts_at ON delivery_attempts (at, id);
      CREATE TABLE silences (
        id TEXT PRIMARY KEY,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE TABLE feedback (
        id TEXT PRIMARY KEY,
        service TEXT NOT NULL,
        anomaly_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX feedback_created ON feedback (created_at, id);
      CREATE TABLE alert_rules (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        doc TEXT NOT NULL
      );
    `,
  },
];
