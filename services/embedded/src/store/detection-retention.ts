import type { SqliteDatabase } from './database.js';

/** What one pruning of the detection tables deleted. */
export interface DetectionPruned {
  metrics: number;
  anomalies: number;
}

/** Rows deleted per statement, so that the processor's writes never wait long for the lock. */
const CHUNK = 5_000;

/**
 * Deletes the detection records older than `cutoff` (epoch ms), as log retention deletes the
 * events they were computed from: bucket metrics by bucket start, and closed anomalies by
 * their last update. An open anomaly is kept however old it is: it is still going on.
 * Engine snapshots are one per partition and stay.
 */
export function pruneDetection(db: SqliteDatabase, cutoff: number): DetectionPruned {
  return {
    metrics: deleteInChunks(
      db,
      'DELETE FROM metrics WHERE rowid IN (SELECT rowid FROM metrics WHERE ts < ? LIMIT ?)',
      cutoff,
    ),
    anomalies: deleteInChunks(
      db,
      "DELETE FROM anomalies WHERE rowid IN (SELECT rowid FROM anomalies WHERE state = 'closed' AND updated < ? LIMIT ?)",
      cutoff,
    ),
  };
}

function deleteInChunks(db: SqliteDatabase, sql: string, cutoff: number): number {
  const statement = db.prepare<[number, number]>(sql);
  let deleted = 0;
  for (;;) {
    const changes = statement.run(cutoff, CHUNK).changes;
    deleted += changes;
    if (changes < CHUNK) return deleted;
  }
}
