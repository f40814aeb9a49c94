import type { SqliteDatabase } from './database.js';
import { type DetectionPruned, pruneDetection } from './detection-retention.js';
import { DAY_MS } from './log-schema.js';

/** How much the store keeps; without either bound it keeps everything. */
export interface RetentionPolicy {
  /** Partition days entirely older than this are deleted (as daily indices are in Elasticsearch). */
  maxAgeDays?: number;
  /** Oldest days are deleted until the database's used pages fit; the newest day is always kept. */
  maxBytes?: number;
}

/** What one pass deleted. */
export interface RetentionResult {
  /** Start (epoch ms) of each partition day deleted, oldest first. */
  deletedDays: number[];
  deletedEvents: number;
  deletedDeadLetters: number;
  /** Bucket metrics and closed anomalies older than what is left of the logs (see `pruneDetection`). */
  deletedDetection: DetectionPruned;
  /** Used bytes after the pass. */
  usedBytes: number;
}

/** Rows deleted per transaction, so that ingest never waits long for the write lock. */
const CHUNK = 5_000;

/** Bytes in pages that hold data (the free list excluded), which is what deletions reduce. */
export function usedBytes(db: SqliteDatabase): number {
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const size = db.pragma('page_size', { simple: true }) as number;
  return (pages - free) * size;
}

/**
 * Deletes whole partition days, oldest first: those past `maxAgeDays`, then more while
 * the database is larger than `maxBytes`; dead letters go by the same age. Freed pages
 * are given back to the file system (incremental vacuum) and the WAL is truncated.
 */
export function applyRetention(db: SqliteDatabase, policy: RetentionPolicy, now: number): RetentionResult {
  const result: RetentionResult = {
    deletedDays: [],
    deletedEvents: 0,
    deletedDeadLetters: 0,
    deletedDetection: { metrics: 0, anomalies: 0 },
    usedBytes: 0,
  };
  const days = () => db.prepare<[], { day: number }>('SELECT DISTINCT day FROM logs ORDER BY day').all();
  if (policy.maxAgeDays !== undefined) {
    const cutoff = now - policy.maxAgeDays * DAY_MS;
    for (const { day } of days()) {
      if (day + DAY_MS > cutoff) break;
      result.deletedEvents += deleteDay(db, day);
      result.deletedDays.push(day);
    }
    result.deletedDeadLetters = db.prepare('DELETE FROM dead_letters WHERE ts < ?').run(cutoff).changes;
    addPruned(result.deletedDetection, pruneDetection(db, cutoff));
  }
  if (policy.maxBytes !== undefined) {
    const remaining = days();
    while (remaining.length > 1 && usedBytes(db) > policy.maxBytes) {
      const oldest = remaining.shift();
      if (oldest === undefined) break;
      result.deletedEvents += deleteDay(db, oldest.day);
      result.deletedDays.push(oldest.day);
      addPruned(result.deletedDetection, pruneDetection(db, oldest.day + DAY_MS));
    }
  }
  const detection = result.deletedDetection.metrics + result.deletedDetection.anomalies;
  if (result.deletedEvents > 0 || result.deletedDeadLetters > 0 || detection > 0) {
    db.pragma('incremental_vacuum');
    db.pragma('wal_checkpoint(TRUNCATE)');
  }
  result.usedBytes = usedBytes(db);
  return result;
}

function addPruned(total: DetectionPruned, more: DetectionPruned): void {
  total.metrics += more.metrics;
  total.anomalies += more.anomalies;
}

function deleteDay(db: SqliteDatabase, day: number): number {
  const chunk = db.prepare<[number, number], { rowid: number }>(
    'SELECT rowid FROM logs WHERE day = ? LIMIT ?',
  );
  const deleteWords = db.prepare('DELETE FROM logs_fts WHERE rowid = ?');
  const deleteLog = db.prepare('DELETE FROM logs WHERE rowid = ?');
  const deleteChunk = db.transaction((rows: Array<{ rowid: number }>) => {
    for (const { rowid } of rows) {
      deleteWords.run(rowid);
      deleteLog.run(rowid);
    }
  });
  let deleted = 0;
  for (;;) {
    const rows = chunk.all(day, CHUNK);
    if (rows.length === 0) return deleted;
    deleteChunk.immediate(rows);
    deleted += rows.length;
  }
}

/** A retention pass every `intervalMs` until stopped; a failed pass is reported, the next one runs anyway. */
export function scheduleRetention(
  run: () => RetentionResult,
  intervalMs: number,
  report: (outcome: { result?: RetentionResult; error?: unknown }) => void,
): { stop(): void } {
  const timer = setInterval(() => {
    try {
      report({ result: run() });
    } catch (error) {
      report({ error });
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
