import type { Client, estypes } from '@elastic/elasticsearch';
import type {
  Anomaly,
  AnomalyQuery,
  BucketMetric,
  LogEvent,
  MetricQuery,
  ServiceSeen,
  TimeRange,
} from '@vigie/common';

type Query = estypes.QueryDslQueryContainer;
type Guard = <T>(call: () => Promise<T>) => Promise<T>;

const LENIENT = { allow_no_indices: true, ignore_unavailable: true } as const;

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
}
