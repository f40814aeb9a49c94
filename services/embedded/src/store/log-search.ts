import type {
  EventHistogram,
  LogEvent,
  SearchHit,
  SearchPage,
  SearchRequest,
  SearchScope,
  TopValues,
} from '@vigie/common';
import { countableField, cursorAfter, highlightHit } from '@vigie/common';
import type { SqliteDatabase } from './database.js';
import { type SqlFragment, scalar, toSqlCondition } from './query-sql.js';

/** A row of `logs` as searches read it. */
export interface LogRow {
  id: string;
  ts: number;
  doc: string;
}

export const hitOf = (row: LogRow): SearchHit => ({
  id: row.id,
  event: JSON.parse(row.doc) as LogEvent,
  sort: [row.ts],
});

/** The events of a scope: its time range and its query, as a condition on `logs`. */
export function scopeCondition(scope: SearchScope): SqlFragment {
  const query = toSqlCondition(scope.query, scope.fields);
  return { sql: `logs.ts BETWEEN ? AND ? AND ${query.sql}`, params: [scope.from, scope.to, ...query.params] };
}

/** `search`, `histogram` and `topValues` of the SQLite store. */
export class LogQueries {
  constructor(private readonly db: SqliteDatabase) {}

  search(request: SearchRequest): SearchPage {
    const where = scopeCondition(request);
    const total = this.count(where);
    const { after } = request;
    let page = where;
    if (after) {
      // Strictly past the cursor's millisecond, or in it and not returned yet.
      const past = request.sort === 'asc' ? '>' : '<';
      page = {
        sql: `${where.sql} AND (logs.ts ${past} ? OR (logs.ts = ? AND logs.id NOT IN (SELECT value FROM json_each(?))))`,
        params: [...where.params, after.time, after.time, JSON.stringify(after.ids)],
      };
    }
    const direction = request.sort === 'asc' ? 'ASC' : 'DESC';
    const rows = this.db
      .prepare<unknown[], LogRow>(
        `SELECT logs.id, logs.ts, logs.doc FROM logs WHERE ${page.sql} ORDER BY logs.ts ${direction}, logs.id ASC LIMIT ?`,
      )
      .all(...page.params, request.size + 1);
    const hits = rows.slice(0, request.size).map(hitOf);
    if (request.highlight) for (const hit of hits) highlightHit(hit, request.query);
    const next = rows.length > request.size ? cursorAfter(hits, after) : undefined;
    return { total: { value: total, relation: 'eq' }, hits, ...(next && { next }) };
  }

  histogram(scope: SearchScope, intervalMs: number): EventHistogram {
    const first = Math.floor(scope.from / intervalMs) * intervalMs;
    const buckets: EventHistogram['buckets'] = [];
    for (let start = first; start <= scope.to; start += intervalMs)
      buckets.push({ start, count: 0, levels: {} });
    const where = scopeCondition(scope);
    const rows = this.db
      .prepare<unknown[], { bucket: number; level: string | null; n: number }>(
        `SELECT CAST((logs.ts - ?) / ? AS INTEGER) AS bucket, logs.level AS level, count(*) AS n FROM logs WHERE ${where.sql} GROUP BY bucket, level`,
      )
      .all(first, Math.trunc(intervalMs), ...where.params);
    let total = 0;
    for (const row of rows) {
      total += row.n;
      const bucket = buckets[row.bucket];
      if (!bucket) continue;
      bucket.count += row.n;
      if (row.level !== null) bucket.levels[row.level] = (bucket.levels[row.level] ?? 0) + row.n;
    }
    return { buckets, total };
  }

  topValues(scope: SearchScope, field: string, size: number): TopValues {
    const target = countableField(field, scope.fields);
    const where = scopeCondition(scope);
    const total = this.count(where);
    const column = scalar(target);
    // Each event counts once per distinct value, as a terms aggregation does.
    const values =
      target.type === 'flattened-key'
        ? {
            sql: `SELECT DISTINCT logs.rowid AS event, f.value AS value FROM logs, vigie_field(logs.doc, ?) AS f WHERE ${where.sql}`,
            params: [target.path, ...where.params],
          }
        : {
            sql: `SELECT logs.rowid AS event, ${column.sql} AS value FROM logs WHERE ${where.sql}`,
            params: [...column.params, ...where.params],
          };
    const ranked = this.db
      .prepare<unknown[], { value: string | number; n: number }>(
        `SELECT value, count(*) AS n FROM (${values.sql}) WHERE value IS NOT NULL GROUP BY value ORDER BY n DESC, value ASC`,
      )
      .all(...values.params);
    const top = ranked.slice(0, size).map((row) => ({
      value: target.type === 'boolean' ? row.value === 1 : row.value,
      count: row.n,
    }));
    const other = ranked.slice(size).reduce((sum, row) => sum + row.n, 0);
    return { total, other, values: top };
  }

  private count(where: SqlFragment): number {
    const row = this.db
      .prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM logs WHERE ${where.sql}`)
      .get(...where.params);
    return row?.n ?? 0;
  }
}
