import type { Anomaly, AnomalyCount, AnomalyQuery, TimeRange } from '@vigie/common';
import type { SqliteDatabase } from './database.js';

const DEFAULT_SIZE = 100;
const MAX_SIZE = 1_000;

/**
 * `searchAnomalies` of the search API, on the detection side's `anomalies` table: the
 * columns it filters on, and the severity and end from the stored document (a handful of
 * anomalies per service and day, so reading the JSON costs little).
 */
export function searchAnomalies(db: SqliteDatabase, query: AnomalyQuery): Anomaly[] {
  const conditions: string[] = [];
  const params: Array<string | number> = [];
  const when = (condition: string, ...values: Array<string | number>) => {
    conditions.push(condition);
    params.push(...values);
  };
  if (query.service !== undefined) when('service = ?', query.service);
  if (query.kind !== undefined) when('kind = ?', query.kind);
  if (query.state !== undefined) when('state = ?', query.state);
  if (query.severity !== undefined) when("json_extract(doc, '$.severity') = ?", query.severity);
  if (query.range !== undefined) {
    // Active at some time in the range: started before its end, not ended before its start.
    when('start <= ?', query.range.to);
    when(
      "(json_extract(doc, '$.end') IS NULL OR vigie_epoch(json_extract(doc, '$.end')) >= ?)",
      query.range.from,
    );
  }
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  const size = Math.min(Math.max(Math.trunc(query.size ?? DEFAULT_SIZE), 1), MAX_SIZE);
  return db
    .prepare<unknown[], { doc: string }>(
      `SELECT doc FROM anomalies${where} ORDER BY updated DESC, id LIMIT ?`,
    )
    .all(...params, size)
    .map((row) => JSON.parse(row.doc) as Anomaly);
}

/** `countAnomalies` of the search API: one row per anomaly id, so a count of rows is of anomalies. */
export function countAnomalies(db: SqliteDatabase, range: TimeRange): AnomalyCount[] {
  return db
    .prepare<[number, number], AnomalyCount>(
      `SELECT kind, service, COUNT(*) AS count FROM anomalies
       WHERE start >= ? AND start <= ? GROUP BY kind, service ORDER BY kind, service`,
    )
    .all(range.from, range.to);
}
