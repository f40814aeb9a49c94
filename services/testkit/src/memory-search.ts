import type {
  Anomaly,
  AnomalyCount,
  AnomalyQuery,
  BucketMetric,
  EventContext,
  EventHistogram,
  FieldInfo,
  LogEvent,
  MetricQuery,
  SearchHit,
  SearchPage,
  SearchRequest,
  SearchScope,
  ServiceSeen,
  ServiceSeries,
  StoredLog,
  TimeRange,
  TopValues,
} from '@vigie/common';
import {
  compareCodeUnits,
  contextSourceOf,
  countableField,
  cursorAfter,
  FIELD_INFO_TYPES,
  fieldValues,
  highlightHit,
  LOG_FIELD_TYPES,
  mergeServiceBucket,
  toPredicate,
} from '@vigie/common';

/** What `MemorySearch` reads: the memory store's maps, live. */
export interface MemoryData {
  logs: ReadonlyMap<string, StoredLog>;
  anomalies: ReadonlyMap<string, Anomaly>;
  metrics: ReadonlyMap<string, BucketMetric>;
}

const time = (event: LogEvent) => Date.parse(event['@timestamp']);
const hitOf = (log: StoredLog): SearchHit => ({
  id: log.id,
  event: structuredClone(log.event),
  sort: [time(log.event)],
});

/**
 * `LogSearch` over the memory store's maps with the query language's predicate: the
 * reference the Elasticsearch store is held to by the contract suite.
 */
export class MemorySearch {
  constructor(private readonly data: MemoryData) {}

  private matching(scope: SearchScope): StoredLog[] {
    const test = toPredicate(scope.query, scope.fields);
    return [...this.data.logs.values()].filter((log) => {
      const at = time(log.event);
      return at >= scope.from && at <= scope.to && test(log.event);
    });
  }

  async search(request: SearchRequest): Promise<SearchPage> {
    const all = this.matching(request);
    const sign = request.sort === 'asc' ? 1 : -1;
    all.sort((a, b) => sign * (time(a.event) - time(b.event)) || a.id.localeCompare(b.id));
    const { after } = request;
    const rest = after
      ? all.filter((log) => {
          const at = time(log.event);
          return sign * (at - after.time) > 0 || (at === after.time && !after.ids.includes(log.id));
        })
      : all;
    const hits = rest.slice(0, request.size).map(hitOf);
    if (request.highlight) for (const hit of hits) highlightHit(hit, request.query);
    const next = rest.length > hits.length ? cursorAfter(hits, after) : undefined;
    return { total: { value: all.length, relation: 'eq' }, hits, ...(next && { next }) };
  }

  async histogram(scope: SearchScope, intervalMs: number): Promise<EventHistogram> {
    const first = Math.floor(scope.from / intervalMs) * intervalMs;
    const buckets: EventHistogram['buckets'] = [];
    for (let start = first; start <= scope.to; start += intervalMs)
      buckets.push({ start, count: 0, levels: {} });
    const logs = this.matching(scope);
    for (const log of logs) {
      const bucket = buckets[Math.floor((time(log.event) - first) / intervalMs)];
      if (!bucket) continue;
      bucket.count++;
      const level = log.event.log?.level;
      if (level !== undefined) bucket.levels[level] = (bucket.levels[level] ?? 0) + 1;
    }
    return { buckets, total: logs.length };
  }

  async fields(scope: SearchScope): Promise<FieldInfo[]> {
    const logs = this.matching(scope);
    const out = new Map<string, FieldInfo>();
    for (const [name, type] of Object.entries(LOG_FIELD_TYPES)) {
      const typeName = FIELD_INFO_TYPES[type];
      if (typeName === undefined) continue;
      if (logs.some((log) => fieldValues(log.event, name).length > 0))
        out.set(name, { name, type: typeName, searchable: type !== 'unindexed' });
    }
    for (const log of logs.slice(0, 500)) {
      for (const group of ['labels', 'attributes'] as const) {
        for (const key of Object.keys(log.event[group] ?? {}))
          out.set(`${group}.${key}`, { name: `${group}.${key}`, type: 'keyword', searchable: true });
      }
    }
    return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async topValues(scope: SearchScope, field: string, size: number): Promise<TopValues> {
    const target = countableField(field, scope.fields);
    const logs = this.matching(scope);
    const counts = new Map<string | number | boolean, number>();
    for (const log of logs) {
      for (const value of new Set(fieldValues(log.event, target.path))) {
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
        counts.set(value, (counts.get(value) ?? 0) + 1);
      }
    }
    const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const values = ranked.slice(0, size).map(([value, count]) => ({ value, count }));
    const other = ranked.slice(size).reduce((sum, [, count]) => sum + count, 0);
    return { total: logs.length, other, values };
  }

  async context(id: string, before: number, after: number): Promise<EventContext | undefined> {
    const anchor = this.data.logs.get(id);
    if (!anchor) return undefined;
    const source = contextSourceOf(anchor.event);
    const sameSource = [...this.data.logs.values()].filter((log) =>
      Object.entries(source.fields).every(([name, value]) => fieldValues(log.event, name).includes(value)),
    );
    const key = (log: StoredLog) =>
      source.order.map((name) => {
        const [value] = fieldValues(log.event, name);
        if (name === '@timestamp' && typeof value === 'string') return Date.parse(value);
        return typeof value === 'number' ? value : Number.POSITIVE_INFINITY;
      });
    const compare = (a: number[], b: number[]) => {
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) < (b[i] ?? 0) ? -1 : 1;
      return 0;
    };
    const anchorKey = key(anchor);
    const keyed = sameSource.map((log) => ({ log, key: key(log) }));
    keyed.sort((a, b) => compare(a.key, b.key));
    const earlier = keyed.filter((entry) => compare(entry.key, anchorKey) < 0);
    const later = keyed.filter((entry) => compare(entry.key, anchorKey) > 0);
    return {
      source,
      anchor: hitOf(anchor),
      before: earlier.slice(Math.max(0, earlier.length - before)).map((entry) => hitOf(entry.log)),
      after: later.slice(0, after).map((entry) => hitOf(entry.log)),
    };
  }

  async searchAnomalies(query: AnomalyQuery): Promise<Anomaly[]> {
    const { range } = query;
    return [...this.data.anomalies.values()]
      .filter(
        (a) =>
          (query.service === undefined || a.service === query.service) &&
          (query.kind === undefined || a.kind === query.kind) &&
          (query.severity === undefined || a.severity === query.severity) &&
          (query.state === undefined || a.state === query.state) &&
          (range === undefined ||
            (Date.parse(a.start) <= range.to && (a.end === undefined || Date.parse(a.end) >= range.from))),
      )
      .sort((a, b) => Date.parse(b.updated) - Date.parse(a.updated))
      .slice(0, query.size ?? 100)
      .map((a) => structuredClone(a));
  }

  async getAnomaly(id: string): Promise<Anomaly | undefined> {
    const anomaly = this.data.anomalies.get(id);
    return anomaly ? structuredClone(anomaly) : undefined;
  }

  async countAnomalies(range: TimeRange): Promise<AnomalyCount[]> {
    const counts = new Map<string, AnomalyCount>();
    for (const anomaly of this.data.anomalies.values()) {
      const start = Date.parse(anomaly.start);
      if (start < range.from || start > range.to) continue;
      const key = `${anomaly.kind}\0${anomaly.service}`;
      const entry = counts.get(key) ?? { kind: anomaly.kind, service: anomaly.service, count: 0 };
      entry.count++;
      counts.set(key, entry);
    }
    return [...counts.values()].sort(
      (a, b) => compareCodeUnits(a.kind, b.kind) || compareCodeUnits(a.service, b.service),
    );
  }

  async listMetrics(query: MetricQuery): Promise<BucketMetric[]> {
    return [...this.data.metrics.values()]
      .filter((m) => {
        const at = Date.parse(m['@timestamp']);
        return (
          at >= query.from &&
          at <= query.to &&
          (query.service === undefined || m.service === query.service) &&
          (query.field === undefined
            ? m.field === undefined
            : m.field === query.field && m.value === query.value)
        );
      })
      .sort((a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']))
      .slice(0, query.limit ?? 10_000)
      .map((m) => structuredClone(m));
  }

  async serviceSeries(range: TimeRange, intervalMs: number, limit: number): Promise<ServiceSeries[]> {
    const metrics = await this.listMetrics({ ...range, limit: Number.MAX_SAFE_INTEGER });
    const byService = new Map<string, Map<number, BucketMetric[]>>();
    for (const metric of metrics) {
      const start = Math.floor(Date.parse(metric['@timestamp']) / intervalMs) * intervalMs;
      const service = byService.get(metric.service) ?? new Map<number, BucketMetric[]>();
      service.set(start, [...(service.get(start) ?? []), metric]);
      byService.set(metric.service, service);
    }
    return [...byService]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .slice(0, limit)
      .map(([service, buckets]) => ({
        service,
        buckets: [...buckets]
          .sort((a, b) => a[0] - b[0])
          .map(([start, group]) => mergeServiceBucket(start, group)),
      }));
  }

  async listServices(range: TimeRange, limit: number): Promise<ServiceSeen[]> {
    const seen = new Map<string, ServiceSeen & { versionAt: number }>();
    for (const { event } of this.data.logs.values()) {
      const at = time(event);
      if (at < range.from || at > range.to) continue;
      const service = seen.get(event.service.name) ?? {
        name: event.service.name,
        version: null,
        events: 0,
        versionAt: Number.NEGATIVE_INFINITY,
      };
      service.events++;
      if (event.service.version !== undefined && at > service.versionAt) {
        service.version = event.service.version;
        service.versionAt = at;
      }
      seen.set(service.name, service);
    }
    return [...seen.values()]
      .sort((a, b) => b.events - a.events || a.name.localeCompare(b.name))
      .slice(0, limit)
      .map(({ versionAt: _, ...service }) => service);
  }
}
