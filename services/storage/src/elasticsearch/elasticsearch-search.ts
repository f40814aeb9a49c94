import type { Client, estypes } from '@elastic/elasticsearch';
import type {
  EventContext,
  EventHistogram,
  FieldInfo,
  LogEvent,
  SearchHit,
  SearchPage,
  SearchRequest,
  SearchScope,
  TopValues,
} from '@vigie/common';
import {
  contextSourceOf,
  countableField,
  cursorAfter,
  FIELD_INFO_TYPES,
  HIGHLIGHT_END,
  HIGHLIGHT_START,
  LOG_FIELD_TYPES,
} from '@vigie/common';
import { toElasticsearchQuery } from './query.js';

type Query = estypes.QueryDslQueryContainer;
type Guard = <T>(call: () => Promise<T>) => Promise<T>;

/** Sort of a hit's sort field: dates and numbers only. */
const sortOn = (field: string, order: 'asc' | 'desc'): estypes.SortCombinations => ({
  [field]: {
    order,
    // Missing values sort as the largest, in both directions, so the two halves of a
    // context agree on where they stand.
    missing: order === 'asc' ? '_last' : '_first',
    unmapped_type: field === '@timestamp' ? 'date' : 'long',
  },
});

const LENIENT = { allow_no_indices: true, ignore_unavailable: true } as const;

/**
 * The `LogSearch` queries of `ElasticsearchStore`: every query is the query language's
 * tree translated clause by clause (`toElasticsearchQuery`), never text for
 * Elasticsearch to parse.
 */
export class ElasticsearchSearch {
  private readonly logs: string;

  constructor(
    private readonly client: Client,
    prefix: string,
    private readonly guard: Guard,
  ) {
    this.logs = `${prefix}-logs`;
  }

  private filter(scope: SearchScope): Query {
    return {
      bool: {
        filter: [
          toElasticsearchQuery(scope.query, scope.fields) as Query,
          { range: { '@timestamp': { gte: scope.from, lte: scope.to, format: 'epoch_millis' } } },
        ],
      },
    };
  }

  async search(request: SearchRequest): Promise<SearchPage> {
    const { after } = request;
    const cursor: Query | undefined = after && {
      bool: {
        filter: [
          {
            range: {
              '@timestamp': { [request.sort === 'asc' ? 'gte' : 'lte']: after.time, format: 'epoch_millis' },
            },
          },
        ],
        must_not: [{ ids: { values: after.ids } }],
      },
    };
    const response = await this.guard(() =>
      this.client.search<LogEvent>({
        index: this.logs,
        ...LENIENT,
        query: this.filter(request),
        // The cursor narrows the hits only: the aggregation still counts the whole query.
        ...(cursor && { post_filter: cursor }),
        sort: [{ '@timestamp': { order: request.sort, format: 'epoch_millis' } }],
        size: request.size + 1,
        track_total_hits: false,
        aggs: { total: { filter: { match_all: {} } } },
        ...(request.highlight && {
          highlight: {
            pre_tags: [HIGHLIGHT_START],
            post_tags: [HIGHLIGHT_END],
            fields: { '*': { number_of_fragments: 0 } },
            require_field_match: true,
            // A line of megabytes is highlighted in its first 100k characters, not refused.
            max_analyzed_offset: 100_000,
            highlight_query: toElasticsearchQuery(request.query, request.fields) as Query,
          },
        }),
      }),
    );
    const all = response.hits.hits.map(toHit);
    const hits = all.slice(0, request.size);
    const next = all.length > hits.length ? cursorAfter(hits, after) : undefined;
    const total =
      (response.aggregations?.total as estypes.AggregationsFilterAggregate | undefined)?.doc_count ?? 0;
    return { total: { value: total, relation: 'eq' }, hits, ...(next && { next }) };
  }

  async histogram(scope: SearchScope, intervalMs: number): Promise<EventHistogram> {
    type Bucket = {
      key: number;
      doc_count: number;
      levels: { buckets: Array<{ key: string; doc_count: number }> };
    };
    const response = await this.guard(() =>
      this.client.search({
        index: this.logs,
        ...LENIENT,
        query: this.filter(scope),
        size: 0,
        aggs: {
          time: {
            date_histogram: {
              field: '@timestamp',
              fixed_interval: `${intervalMs}ms`,
              min_doc_count: 0,
              extended_bounds: { min: scope.from, max: scope.to },
            },
            aggs: { levels: { terms: { field: 'log.level', size: 20 } } },
          },
        },
      }),
    );
    const buckets = ((response.aggregations?.time as { buckets?: Bucket[] } | undefined)?.buckets ?? []).map(
      (bucket) => ({
        start: bucket.key,
        count: bucket.doc_count,
        levels: Object.fromEntries(bucket.levels.buckets.map((level) => [level.key, level.doc_count])),
      }),
    );
    return { buckets, total: buckets.reduce((sum, bucket) => sum + bucket.count, 0) };
  }

  async fields(scope: SearchScope): Promise<FieldInfo[]> {
    const mapped = Object.entries(LOG_FIELD_TYPES).filter(([, type]) => FIELD_INFO_TYPES[type] !== undefined);
    const response = await this.guard(() =>
      this.client.search<Pick<LogEvent, 'labels' | 'attributes' | 'event'>>({
        index: this.logs,
        ...LENIENT,
        query: this.filter(scope),
        // Keys of labels and attributes are not in the mapping: a sample of events names them.
        size: 200,
        sort: [{ '@timestamp': 'desc' }],
        _source: ['labels', 'attributes', 'event.original'],
        aggs: {
          present: {
            filters: {
              filters: Object.fromEntries(
                mapped.map(([name, type]) => [
                  name,
                  // Unindexed fields have no index to test: look for them in the sample only.
                  type === 'unindexed' ? { match_none: {} } : { exists: { field: name } },
                ]),
              ),
            },
          },
        },
      }),
    );
    const present =
      (response.aggregations?.present as { buckets: Record<string, { doc_count: number }> } | undefined)
        ?.buckets ?? {};
    const out = new Map<string, FieldInfo>();
    for (const [name, type] of mapped) {
      const typeName = FIELD_INFO_TYPES[type];
      if (typeName !== undefined && (present[name]?.doc_count ?? 0) > 0)
        out.set(name, { name, type: typeName, searchable: type !== 'unindexed' });
    }
    for (const hit of response.hits.hits) {
      if (hit._source?.event?.original !== undefined)
        out.set('event.original', { name: 'event.original', type: 'keyword', searchable: false });
      for (const group of ['labels', 'attributes'] as const) {
        for (const key of Object.keys(hit._source?.[group] ?? {}))
          out.set(`${group}.${key}`, { name: `${group}.${key}`, type: 'keyword', searchable: true });
      }
    }
    return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async topValues(scope: SearchScope, field: string, size: number): Promise<TopValues> {
    const target = countableField(field, scope.fields);
    type Bucket = { key: string | number; key_as_string?: string; doc_count: number };
    const response = await this.guard(() =>
      this.client.search({
        index: this.logs,
        ...LENIENT,
        query: this.filter(scope),
        size: 0,
        track_total_hits: true,
        aggs: {
          top: { terms: { field: target.path, size, order: [{ _count: 'desc' }, { _key: 'asc' }] } },
        },
      }),
    );
    const top = (response.aggregations?.top as
      | { buckets: Bucket[]; sum_other_doc_count?: number }
      | undefined) ?? {
      buckets: [],
    };
    const values = top.buckets.map((bucket) => ({
      value:
        target.type === 'boolean'
          ? bucket.key_as_string === 'true' || bucket.key === 1
          : target.type === 'ip'
            ? String(bucket.key)
            : bucket.key,
      count: bucket.doc_count,
    }));
    const total =
      typeof response.hits.total === 'number' ? response.hits.total : (response.hits.total?.value ?? 0);
    return { total, other: top.sum_other_doc_count ?? 0, values };
  }

  async context(id: string, before: number, after: number): Promise<EventContext | undefined> {
    const found = await this.guard(() =>
      this.client.search<LogEvent>({
        index: this.logs,
        ...LENIENT,
        query: { ids: { values: [id] } },
        size: 1,
      }),
    );
    const anchorHit = found.hits.hits[0];
    if (!anchorHit?._source) return undefined;
    const source = contextSourceOf(anchorHit._source);
    const sameSource: Query = {
      bool: { filter: Object.entries(source.fields).map(([name, value]) => ({ term: { [name]: value } })) },
    };
    const side = async (order: 'asc' | 'desc', size: number, searchAfter?: estypes.SortResults) => {
      const response = await this.guard(() =>
        this.client.search<LogEvent>({
          index: this.logs,
          ...LENIENT,
          query: searchAfter ? sameSource : { ids: { values: [id] } },
          sort: source.order.map((field) => sortOn(field, order)),
          size,
          ...(searchAfter && { search_after: searchAfter }),
        }),
      );
      return response.hits.hits;
    };
    // The anchor read again with the context's sort gives the position to continue from.
    const [positioned] = await side('asc', 1);
    const position = positioned?.sort;
    if (!position) return undefined;
    const [earlier, later] = await Promise.all([
      before > 0 ? side('desc', before, position) : [],
      after > 0 ? side('asc', after, position) : [],
    ]);
    return {
      source,
      anchor: toHit(anchorHit),
      before: earlier.map(toHit).reverse(),
      after: later.map(toHit),
    };
  }
}

function toHit(hit: estypes.SearchHit<LogEvent>): SearchHit {
  return {
    id: hit._id ?? '',
    index: hit._index,
    event: hit._source as LogEvent,
    ...(hit.highlight && { highlight: hit.highlight }),
    sort: (hit.sort ?? []).map(Number),
  };
}
