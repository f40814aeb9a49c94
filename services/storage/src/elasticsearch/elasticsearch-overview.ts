import type { Client, estypes } from '@elastic/elasticsearch';
import type {
  Anomaly,
  AnomalyCount,
  AnomalyKind,
  AnomalyQuery,
  BucketMetric,
  LogEvent,
  MetricQuery,
  RouteLatency,
  RouteLatencyQuery,
  ServiceBucket,
  ServiceSeen,
  ServiceSeries,
  TimeRange,
} from '@vigie/common';
import { latencyChange, WEEK_MS } from '@vigie/common';

type Query = estypes.QueryDslQueryContainer;
type Guard = <T>(call: () => Promise<T>) => Promise<T>;

const LENIENT = { allow_no_indices: true, ignore_unavailable: true } as const;
/** Services read by the route ranking, far above what one deployment runs. */
const MAX_SERVICES = 1000;
/** Terms buckets for anomaly kinds: every kind, with room for kinds added later. */
const KIND_BUCKETS = 50;

/**
 * The `LogSearch` reads of detection output and of services: anomalies, bucket metrics
 * and the services seen in the logs, for the anomaly and services pages.
 */
export class ElasticsearchOverview {
  private readonly logs: string;

  constructor(
    private readonly client: Client,
    private readonly prefix: string,
    private readonly guard: Guard,
  ) {
    this.logs = `${prefix}-logs`;
  }

  async searchAnomalies(query: AnomalyQuery): Promise<Anomaly[]> {
    const filter: Query[] = [];
    if (query.service) filter.push({ term: { service: query.service } });
    if (query.kind) filter.push({ term: { kind: query.kind } });
    if (query.severity) filter.push({ term: { severity: query.severity } });
    if (query.state) filter.push({ term: { state: query.state } });
    if (query.range) {
      filter.push({ range: { start: { lte: query.range.to, format: 'epoch_millis' } } });
      filter.push({
        bool: {
          should: [
            { range: { end: { gte: query.range.from, format: 'epoch_millis' } } },
            { bool: { must_not: [{ exists: { field: 'end' } }] } },
          ],
          minimum_should_match: 1,
        },
      });
    }
    const response = await this.guard(() =>
      this.client.search<Anomaly & { '@timestamp'?: string }>({
        index: `${this.prefix}-anomalies`,
        ...LENIENT,
        query: { bool: { filter } },
        sort: [{ updated: 'desc' }],
        size: query.size ?? 100,
      }),
    );
    return response.hits.hits.flatMap((hit) => {
      if (!hit._source) return [];
      const { '@timestamp': _, ...anomaly } = hit._source;
      return [anomaly];
    });
  }

  async countAnomalies(range: TimeRange): Promise<AnomalyCount[]> {
    type Service = { key: string; doc_count: number };
    type Kind = { key: AnomalyKind; services: { buckets: Service[] } };
    // One document per anomaly id (a new version replaces it), so doc counts are anomalies.
    const response = await this.guard(() =>
      this.client.search({
        index: `${this.prefix}-anomalies`,
        ...LENIENT,
        query: { range: { start: { gte: range.from, lte: range.to, format: 'epoch_millis' } } },
        size: 0,
        aggs: {
          kinds: {
            terms: { field: 'kind', size: KIND_BUCKETS, order: { _key: 'asc' } },
            aggs: { services: { terms: { field: 'service', size: MAX_SERVICES, order: { _key: 'asc' } } } },
          },
        },
      }),
    );
    const kinds = (response.aggregations?.kinds as { buckets: Kind[] } | undefined)?.buckets ?? [];
    return kinds.flatMap((kind) =>
      kind.services.buckets.map((service) => ({
        kind: kind.key,
        service: service.key,
        count: service.doc_count,
      })),
    );
  }

  async listMetrics(query: MetricQuery): Promise<BucketMetric[]> {
    const filter: Query[] = [
      { range: { '@timestamp': { gte: query.from, lte: query.to, format: 'epoch_millis' } } },
    ];
    const mustNot: Query[] = [];
    if (query.service) filter.push({ term: { service: query.service } });
    if (query.field === undefined) mustNot.push({ exists: { field: 'field' } });
    else filter.push({ term: { field: query.field } }, { term: { value: query.value ?? '' } });
    const response = await this.guard(() =>
      this.client.search<BucketMetric>({
        index: `${this.prefix}-metrics`,
        ...LENIENT,
        query: { bool: { filter, must_not: mustNot } },
        sort: [{ '@timestamp': 'asc' }],
        size: query.limit ?? 10_000,
      }),
    );
    return response.hits.hits.flatMap((hit) => (hit._source ? [hit._source] : []));
  }

  async listServices(range: TimeRange, limit: number): Promise<ServiceSeen[]> {
    type Bucket = {
      key: string;
      doc_count: number;
      versioned: { latest: { hits: { hits: Array<{ _source?: Pick<LogEvent, 'service'> }> } } };
    };
    const response = await this.guard(() =>
      this.client.search({
        index: this.logs,
        ...LENIENT,
        query: { range: { '@timestamp': { gte: range.from, lte: range.to, format: 'epoch_millis' } } },
        size: 0,
        aggs: {
          services: {
            terms: { field: 'service.name', size: limit, order: [{ _count: 'desc' }, { _key: 'asc' }] },
            aggs: {
              versioned: {
                filter: { exists: { field: 'service.version' } },
                aggs: {
                  latest: {
                    top_hits: { size: 1, sort: [{ '@timestamp': 'desc' }], _source: ['service.version'] },
                  },
                },
              },
            },
          },
        },
      }),
    );
    const buckets = (response.aggregations?.services as { buckets: Bucket[] } | undefined)?.buckets ?? [];
    return buckets.map((bucket) => ({
      name: bucket.key,
      version: bucket.versioned.latest.hits.hits[0]?._source?.service.version ?? null,
      events: bucket.doc_count,
    }));
  }

  async serviceSeries(range: TimeRange, intervalMs: number, limit: number): Promise<ServiceSeries[]> {
    type Value = { value: number | null };
    type Stats = { count: number; sum: number };
    type Bucket = {
      key: number;
      count: Value;
      errors: Value;
      p95: Value;
      bucketMs: Value;
      windowMs: Value;
      expectedCount: Stats;
      countLower: Stats;
      countUpper: Stats;
      errorRatio: Value;
      errorRatioUpper: Value;
      p95Expected: Value;
      p95Lower: Value;
      p95Upper: Value;
    };
    type Service = { key: string; time: { buckets: Bucket[] } };
    const response = await this.guard(() =>
      this.client.search({
        index: `${this.prefix}-metrics`,
        ...LENIENT,
        query: {
          bool: {
            filter: [{ range: { '@timestamp': { gte: range.from, lte: range.to, format: 'epoch_millis' } } }],
            must_not: [{ exists: { field: 'field' } }],
          },
        },
        size: 0,
        aggs: {
          services: {
            terms: { field: 'service', size: limit, order: { _key: 'asc' } },
            aggs: {
              time: {
                date_histogram: { field: '@timestamp', fixed_interval: `${intervalMs}ms`, min_doc_count: 1 },
                aggs: {
                  count: { sum: { field: 'count' } },
                  errors: { sum: { field: 'errors' } },
                  p95: { max: { field: 'latency.p95' } },
                  bucketMs: { avg: { field: 'bucketMs' } },
                  windowMs: { avg: { field: 'expected.windowMs' } },
                  expectedCount: { stats: { field: 'expected.count' } },
                  countLower: { stats: { field: 'expected.countLower' } },
                  countUpper: { stats: { field: 'expected.countUpper' } },
                  errorRatio: { avg: { field: 'expected.errorRatio' } },
                  errorRatioUpper: { avg: { field: 'expected.errorRatioUpper' } },
                  p95Expected: { avg: { field: 'expected.p95' } },
                  p95Lower: { avg: { field: 'expected.p95Lower' } },
                  p95Upper: { avg: { field: 'expected.p95Upper' } },
                },
              },
            },
          },
        },
      }),
    );
    const services = (response.aggregations?.services as { buckets: Service[] } | undefined)?.buckets ?? [];
    return services.map((service) => ({
      service: service.key,
      buckets: service.time.buckets.map((b): ServiceBucket => {
        // The volume band is per detector window: each bucket holds its share of it.
        const scale = (b.bucketMs.value ?? 0) / (b.windowMs.value || 1);
        const scaled = (stats: Stats) => (stats.count === 0 ? null : stats.sum * scale);
        return {
          start: b.key,
          count: b.count.value ?? 0,
          errors: b.errors.value ?? 0,
          p95: b.p95.value,
          expected: {
            count: scaled(b.expectedCount),
            countLower: scaled(b.countLower),
            countUpper: scaled(b.countUpper),
            errorRatio: b.errorRatio.value,
            errorRatioUpper: b.errorRatioUpper.value,
            p95: b.p95Expected.value,
            p95Lower: b.p95Lower.value,
            p95Upper: b.p95Upper.value,
          },
        };
      }),
    }));
  }

  async routeLatency(query: RouteLatencyQuery): Promise<RouteLatency[]> {
    const current = await this.routeWindow(
      query,
      query.service ? [{ term: { service: query.service } }] : [],
      query.limit,
    );
    if (current.length === 0) return [];
    // The previous week is read for the ranked routes only, each (service, route) pair exactly.
    const pairs: Query[] = current.map((route) => ({
      bool: { filter: [{ term: { service: route.service } }, { term: { value: route.route } }] },
    }));
    const previous = await this.routeWindow(
      { from: query.from - WEEK_MS, to: query.to - WEEK_MS },
      [{ bool: { should: pairs, minimum_should_match: 1 } }],
      current.length,
    );
    const before = new Map(previous.map((route) => [`${route.service}\0${route.route}`, route.p95]));
    return current.map((route) => {
      const previousP95 = before.get(`${route.service}\0${route.route}`) ?? null;
      return { ...route, previousP95, change: latencyChange(route.p95, previousP95) };
    });
  }

  /** Routes with latency samples in a range by weighted p95, slowest first. */
  private async routeWindow(
    range: TimeRange,
    extra: Query[],
    size: number,
  ): Promise<Array<{ service: string; route: string; requests: number; p95: number }>> {
    type Route = { key: string; requests: { value: number | null }; p95: { value: number | null } };
    type Service = { key: string; routes: { buckets: Route[] } };
    // The slowest `size` routes of every service hold the slowest `size` overall; the
    // cluster's distribution may lack `multi_terms`, so the merge is done here.
    const response = await this.guard(() =>
      this.client.search({
        index: `${this.prefix}-metrics`,
        ...LENIENT,
        query: {
          bool: {
            filter: [
              { range: { '@timestamp': { gte: range.from, lte: range.to, format: 'epoch_millis' } } },
              { term: { field: 'url.path' } },
              { range: { 'latency.samples': { gt: 0 } } },
              ...extra,
            ],
          },
        },
        size: 0,
        aggs: {
          services: {
            terms: { field: 'service', size: MAX_SERVICES, order: { _key: 'asc' } },
            aggs: {
              routes: {
                terms: { field: 'value', size, order: [{ p95: 'desc' }, { _key: 'asc' }] },
                aggs: {
                  requests: { sum: { field: 'latency.samples' } },
                  p95: {
                    weighted_avg: { value: { field: 'latency.p95' }, weight: { field: 'latency.samples' } },
                  },
                },
              },
            },
          },
        },
      }),
    );
    const services = (response.aggregations?.services as { buckets: Service[] } | undefined)?.buckets ?? [];
    return services
      .flatMap((service) =>
        service.routes.buckets.map((route) => ({
          service: service.key,
          route: route.key,
          requests: route.requests.value ?? 0,
          p95: route.p95.value ?? 0,
        })),
      )
      .sort((a, b) => b.p95 - a.p95 || a.service.localeCompare(b.service) || a.route.localeCompare(b.route))
      .slice(0, size);
  }
}
