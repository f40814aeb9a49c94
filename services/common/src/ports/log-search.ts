import type { QueryNode } from '../query/ast.js';
import type { FieldOptions } from '../query/fields.js';
import type { Anomaly, AnomalyKind, AnomalyState, BucketMetric, Severity } from '../schema/anomaly.js';
import type { LogEvent } from '../schema/log-event.js';

/**
 * The read port of the search API: queries arrive as the query language's tree
 * (`parseQuery`), never as storage text, so every store translates the same tree
 * (Elasticsearch through `toElasticsearchQuery`, the memory store through
 * `toPredicate`). Every method is read-only; a store that cannot answer throws an
 * `UnavailableError`, a query that does not fit a field throws a `QueryFieldError`.
 */

/** A time range, epoch ms, both ends inclusive. */
export interface TimeRange {
  from: number;
  to: number;
}

/** What to search: a parsed query within a time range. */
export interface SearchScope extends TimeRange {
  query: QueryNode;
  /** How the query resolves field names (unknown names go to `attributes` by default). */
  fields?: FieldOptions;
}

/**
 * Where a page stopped, to continue after it: the `@timestamp` of its last event and
 * the ids of the events of that same millisecond already returned (ties are skipped by
 * id, so pages never repeat or miss an event whatever the store's tie order).
 */
export interface SearchCursor {
  time: number;
  ids: string[];
}

/** A page of a search. */
export interface SearchRequest extends SearchScope {
  sort: 'asc' | 'desc';
  /** 1..500 */
  size: number;
  after?: SearchCursor;
  /** Mark the query's hits in the fields where they matched. */
  highlight?: boolean;
}

/** One stored event. */
export interface SearchHit {
  id: string;
  /** The physical index (or table) the event is in, when the store has such a thing. */
  index?: string;
  event: LogEvent;
  /** Field name to fragments; hits are wrapped in U+0001 ... U+0002 (text markers, not HTML). */
  highlight?: Record<string, string[]>;
  /** Sort values of the hit: its `@timestamp` in epoch ms. */
  sort: number[];
}

/** Marks the start of a highlighted hit in a fragment. */
export const HIGHLIGHT_START = '\u0001';
/** Marks the end of a highlighted hit in a fragment. */
export const HIGHLIGHT_END = '\u0002';

/** A page of events; `next` is absent on the last page. */
export interface SearchPage {
  total: { value: number; relation: 'eq' | 'gte' };
  hits: SearchHit[];
  next?: SearchCursor;
}

/** Counts over time, split by `log.level`. */
export interface EventHistogram {
  buckets: Array<{ start: number; count: number; levels: Record<string, number> }>;
  total: number;
}

/** A field that the matching events carry. */
export interface FieldInfo {
  name: string;
  type: 'keyword' | 'text' | 'long' | 'double' | 'date' | 'ip' | 'boolean';
  searchable: boolean;
}

/** The `FieldInfo` type each field type of the log schema is listed with, in every store. */
export const FIELD_INFO_TYPES: Readonly<Record<string, FieldInfo['type'] | undefined>> = {
  text: 'text',
  keyword: 'keyword',
  long: 'long',
  integer: 'long',
  date: 'date',
  ip: 'ip',
  boolean: 'boolean',
  unindexed: 'keyword',
};

/** The most frequent values of a field among the matching events. */
export interface TopValues {
  /** Matching events. */
  total: number;
  /** Matching events whose value is outside the returned top values. */
  other: number;
  values: Array<{ value: string | number | boolean; count: number }>;
}

/**
 * How "the same source" of an event is recognised, first match wins: the same file on the
 * same host (ordered by `log.offset`), the same container (time, then `event.sequence`),
 * the same stream of a syslog sender or HTTP request (`vigie.stream`, ordered by
 * `event.sequence`), the same syslog sender and application (time); `time` is the
 * declared fallback: the same service, by time.
 */
export type ContextSourceKind = 'file' | 'container' | 'syslog' | 'stream' | 'time';

/** The source an event's context is read from, with the fields that identify it. */
export interface ContextSource {
  kind: ContextSourceKind;
  description: string;
  /** Dotted field name to value, e.g. `{ 'host.name': 'web-1', 'log.file.path': '/var/log/app.log' }`. */
  fields: Record<string, string>;
  /** Dotted fields (numbers or dates) the source is ordered by, most significant first. */
  order: string[];
}

/** Events before and after an anchor in the order their source wrote them, oldest first. */
export interface EventContext {
  source: ContextSource;
  anchor: SearchHit;
  before: SearchHit[];
  after: SearchHit[];
}

/** Which anomalies to read; every filter is optional. */
export interface AnomalyQuery {
  /** Anomalies active at some time in this range (started before `to`, not ended before `from`). */
  range?: TimeRange;
  service?: string;
  kind?: AnomalyKind;
  severity?: Severity;
  state?: AnomalyState;
  /** Most recently updated first; 1..1000, 100 by default. */
  size?: number;
}

/** How many anomalies of one kind one service raised (see `LogSearch.countAnomalies`). */
export interface AnomalyCount {
  kind: AnomalyKind;
  service: string;
  count: number;
}

/** Which bucket metrics to read: one series of one service in a time range. */
export interface MetricQuery extends TimeRange {
  /** One service, or every service when absent. */
  service?: string;
  /** The series split (`url.path`, `host.name`); the service-level series when absent. */
  field?: string;
  value?: string;
  /** At most this many metrics, oldest first; 10,000 by default. */
  limit?: number;
}

/** A service's own metrics (not its routes' or hosts') merged over one interval. */
export interface ServiceBucket {
  /** Interval start, epoch ms. */
  start: number;
  count: number;
  errors: number;
  /** Worst p95 latency of the merged buckets in ms; null without latency samples. */
  p95: number | null;
  /**
   * The detectors' band over the interval, null where they had no baseline: volume summed
   * (each bucket's share of its window's band), ratios and latencies averaged.
   */
  expected: {
    count: number | null;
    countLower: number | null;
    countUpper: number | null;
    errorRatio: number | null;
    errorRatioUpper: number | null;
    p95: number | null;
    p95Lower: number | null;
    p95Upper: number | null;
  };
}

/** The service-level metrics of one service, merged by interval, oldest first. */
export interface ServiceSeries {
  service: string;
  buckets: ServiceBucket[];
}

/** A service seen in the logs of a time range. */
export interface ServiceSeen {
  name: string;
  /** `service.version` of its most recent event that has one. */
  version: string | null;
  events: number;
}

/** Which routes to rank by latency: the `url.path` series of the bucket metrics. */
export interface RouteLatencyQuery extends TimeRange {
  /** One service, or every service when absent. */
  service?: string;
  /** At most this many routes, slowest first; 1..500. */
  limit: number;
}

/** One route of one service, its p95 latency in a time range and the same range a week earlier. */
export interface RouteLatency {
  service: string;
  /** The route template (`/api/orders/:id`), as the detection's `url.path` series names it. */
  route: string;
  /** Requests with a duration in the range (the buckets' latency samples, summed). */
  requests: number;
  /**
   * The buckets' p95 in ms averaged with their request counts as weights: an estimate of the
   * range's p95, not an exact percentile of all its requests.
   */
  p95: number;
  /** The same estimate over the same range one week earlier; null when the route had no requests then. */
  previousP95: number | null;
  /** Relative change against a week earlier, `(p95 - previousP95) / previousP95`; null without a previous p95. */
  change: number | null;
}

/** The offset of the previous-week range of `routeLatency`. */
export const WEEK_MS = 7 * 86_400_000;

/**
 * The relative change of a p95 against the previous one; null when there is none (or it
 * is 0, where no ratio exists).
 */
export function latencyChange(p95: number, previousP95: number | null): number | null {
  return previousP95 === null || previousP95 === 0 ? null : (p95 - previousP95) / previousP95;
}

/** The read port of the search API. */
export interface LogSearch {
  search(request: SearchRequest): Promise<SearchPage>;
  /** Buckets of `intervalMs` from `from` to `to` (empty buckets included). */
  histogram(scope: SearchScope, intervalMs: number): Promise<EventHistogram>;
  /** Fields of the matching events (mapped fields present, keys of labels and attributes). */
  fields(scope: SearchScope): Promise<FieldInfo[]>;
  /** Top `size` values of a searchable field among the matching events. */
  topValues(scope: SearchScope, field: string, size: number): Promise<TopValues>;
  /** Undefined when no event has this id. */
  context(id: string, before: number, after: number): Promise<EventContext | undefined>;
  searchAnomalies(query: AnomalyQuery): Promise<Anomaly[]>;
  getAnomaly(id: string): Promise<Anomaly | undefined>;
  /**
   * Anomalies that started in the range (each id once, whatever its versions), by kind and
   * service; pairs with none are absent. Ordered by kind, then service.
   */
  countAnomalies(range: TimeRange): Promise<AnomalyCount[]>;
  listMetrics(query: MetricQuery): Promise<BucketMetric[]>;
  /** Service-level metrics of every service (at most `limit`), merged by `intervalMs`. */
  serviceSeries(range: TimeRange, intervalMs: number, limit: number): Promise<ServiceSeries[]>;
  /** Services with events in the range, by volume, at most `limit`. */
  listServices(range: TimeRange, limit: number): Promise<ServiceSeen[]>;
  /**
   * Routes (with latency samples in the range) by p95 descending, then service and route,
   * at most `limit`, each against the same range one week earlier.
   */
  routeLatency(query: RouteLatencyQuery): Promise<RouteLatency[]>;
}

const present = (values: Array<number | undefined>) => values.filter((v): v is number => v !== undefined);
const meanOf = (values: Array<number | undefined>) => {
  const set = present(values);
  return set.length === 0 ? null : set.reduce((a, b) => a + b, 0) / set.length;
};

/**
 * Bucket metrics of one chart interval merged as the Elasticsearch store's aggregation
 * does (the memory and SQLite stores share it): counts summed, the volume band scaled
 * from the detector's window to the buckets, ratios and latencies averaged, the worst p95.
 */
export function mergeServiceBucket(start: number, group: BucketMetric[]): ServiceBucket {
  const scale =
    (meanOf(group.map((m) => m.bucketMs)) ?? 0) / (meanOf(group.map((m) => m.expected.windowMs)) || 1);
  const scaledSum = (values: Array<number | undefined>) => {
    const set = present(values);
    return set.length === 0 ? null : set.reduce((a, b) => a + b, 0) * scale;
  };
  const p95s = present(group.map((m) => m.latency?.p95));
  return {
    start,
    count: group.reduce((sum, m) => sum + m.count, 0),
    errors: group.reduce((sum, m) => sum + m.errors, 0),
    p95: p95s.length === 0 ? null : Math.max(...p95s),
    expected: {
      count: scaledSum(group.map((m) => m.expected.count)),
      countLower: scaledSum(group.map((m) => m.expected.countLower)),
      countUpper: scaledSum(group.map((m) => m.expected.countUpper)),
      errorRatio: meanOf(group.map((m) => m.expected.errorRatio)),
      errorRatioUpper: meanOf(group.map((m) => m.expected.errorRatioUpper)),
      p95: meanOf(group.map((m) => m.expected.p95)),
      p95Lower: meanOf(group.map((m) => m.expected.p95Lower)),
      p95Upper: meanOf(group.map((m) => m.expected.p95Upper)),
    },
  };
}
