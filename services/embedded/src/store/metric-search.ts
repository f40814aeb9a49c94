import type {
  BucketMetric,
  MetricQuery,
  RouteLatency,
  RouteLatencyQuery,
  ServiceSeries,
  TimeRange,
} from '@vigie/common';
import { latencyChange, mergeServiceBucket, WEEK_MS } from '@vigie/common';
import type { SqliteDatabase } from './database.js';

const DEFAULT_METRIC_LIMIT = 10_000;

/** The bucket metrics of one series in a range, oldest first. */
export function listMetrics(db: SqliteDatabase, query: MetricQuery): BucketMetric[] {
  const conditions = ['ts BETWEEN ? AND ?'];
  const params: Array<string | number | null> = [query.from, query.to];
  if (query.service !== undefined) {
    conditions.push('service = ?');
    params.push(query.service);
  }
  if (query.field === undefined) conditions.push('field IS NULL');
  else {
    conditions.push('field = ?', 'value IS ?');
    params.push(query.field, query.value ?? null);
  }
  return db
    .prepare<unknown[], { doc: string }>(
      `SELECT doc FROM metrics WHERE ${conditions.join(' AND ')} ORDER BY ts, id LIMIT ?`,
    )
    .all(...params, query.limit ?? DEFAULT_METRIC_LIMIT)
    .map((row) => JSON.parse(row.doc) as BucketMetric);
}

/** Service-level metrics of the first `limit` services by name, merged by interval. */
export function serviceSeries(
  db: SqliteDatabase,
  range: TimeRange,
  intervalMs: number,
  limit: number,
): ServiceSeries[] {
  const services = db
    .prepare<[number, number, number], { service: string }>(
      `SELECT DISTINCT service FROM metrics WHERE field IS NULL AND ts BETWEEN ? AND ?
       ORDER BY service LIMIT ?`,
    )
    .all(range.from, range.to, limit);
  const read = db.prepare<[string, number, number], { ts: number; doc: string }>(
    'SELECT ts, doc FROM metrics WHERE service = ? AND field IS NULL AND ts BETWEEN ? AND ? ORDER BY ts',
  );
  return services.map(({ service }) => {
    const buckets = new Map<number, BucketMetric[]>();
    for (const row of read.all(service, range.from, range.to)) {
      const start = Math.floor(row.ts / intervalMs) * intervalMs;
      buckets.set(start, [...(buckets.get(start) ?? []), JSON.parse(row.doc) as BucketMetric]);
    }
    return { service, buckets: [...buckets].map(([start, group]) => mergeServiceBucket(start, group)) };
  });
}

interface RouteWindow {
  service: string;
  route: string;
  requests: number;
  p95: number;
}

/** Routes by request-weighted p95, against the same range a week earlier. */
export function routeLatency(db: SqliteDatabase, query: RouteLatencyQuery): RouteLatency[] {
  const current = routeWindow(db, query, query.service)
    .sort((a, b) => b.p95 - a.p95 || a.service.localeCompare(b.service) || a.route.localeCompare(b.route))
    .slice(0, query.limit);
  const previous = new Map(
    routeWindow(db, { from: query.from - WEEK_MS, to: query.to - WEEK_MS }, query.service).map((r) => [
      `${r.service}\0${r.route}`,
      r.p95,
    ]),
  );
  return current.map((route) => {
    const previousP95 = previous.get(`${route.service}\0${route.route}`) ?? null;
    return { ...route, previousP95, change: latencyChange(route.p95, previousP95) };
  });
}

function routeWindow(db: SqliteDatabase, range: TimeRange, service: string | undefined): RouteWindow[] {
  const samples = "json_extract(doc, '$.latency.samples')";
  const rows = db
    .prepare<unknown[], { service: string; route: string; requests: number; weighted: number }>(
      `SELECT service, value AS route, sum(${samples}) AS requests,
              sum(${samples} * json_extract(doc, '$.latency.p95')) AS weighted
       FROM metrics
       WHERE field = 'url.path' AND value IS NOT NULL AND ts BETWEEN ? AND ? AND ${samples} > 0
         ${service === undefined ? '' : 'AND service = ?'}
       GROUP BY service, value`,
    )
    .all(range.from, range.to, ...(service === undefined ? [] : [service]));
  return rows.map((row) => ({
    service: row.service,
    route: row.route,
    requests: row.requests,
    p95: row.weighted / row.requests,
  }));
}
