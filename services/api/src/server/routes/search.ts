import type { LogSearch, SearchHit } from '@vigie/common';
import type { FastifyInstance } from 'fastify';
import { recordResultCount } from '../../auth/index.js';
import { NotFoundError } from '../errors.js';
import { errorResponses, hitSchema, scopeProperties } from '../schemas.js';
import { decodeCursor, encodeCursor, intervalOf, type ScopeQuery, scopeOf } from '../scope.js';

interface SearchQuery extends ScopeQuery {
  sort: 'asc' | 'desc';
  size: number;
  search_after?: string;
  highlight: boolean;
}

const searchHitSchema = {
  type: 'object',
  required: ['id', 'event', 'sort'],
  properties: {
    ...hitSchema.properties,
    highlight: {
      type: 'object',
      additionalProperties: { type: 'array', items: { type: 'string' } },
      description: 'Fragments of the fields that matched; U+0001 starts and U+0002 ends each hit (not HTML).',
    },
    sort: { type: 'array', items: { type: 'number' } },
  },
} as const;

const iso = (ms: number) => new Date(ms).toISOString();
const plainHit = (hit: SearchHit) => ({
  id: hit.id,
  ...(hit.index && { index: hit.index }),
  event: hit.event,
});

/** GET /api/search, /api/histogram, /api/fields, /api/fields/:name/top, /api/events/:id/context. */
export function registerSearchRoutes(app: FastifyInstance, search: LogSearch, now: () => number): void {
  app.get<{ Querystring: SearchQuery }>(
    '/api/search',
    {
      config: { permission: 'search', audit: true },
      schema: {
        summary: 'Events matching a query in a time range, a page at a time',
        tags: ['search'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...scopeProperties,
            sort: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
            size: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            search_after: {
              type: 'string',
              // A cursor is a few hundred characters; the bound keeps the URL under the header limit.
              maxLength: 8_192,
              description: 'The `next` of the previous page.',
            },
            highlight: { type: 'boolean', default: false },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['total', 'events', 'next', 'took_ms'],
            properties: {
              total: {
                type: 'object',
                required: ['value', 'relation'],
                properties: { value: { type: 'integer' }, relation: { type: 'string', enum: ['eq', 'gte'] } },
              },
              events: { type: 'array', items: searchHitSchema },
              next: {
                type: ['string', 'null'],
                description: 'Cursor of the next page; null on the last page.',
              },
              took_ms: { type: 'number' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const started = performance.now();
      const { sort, size, highlight } = request.query;
      const after = request.query.search_after ? decodeCursor(request.query.search_after) : undefined;
      const page = await search.search({ ...scopeOf(request.query, now()), sort, size, after, highlight });
      recordResultCount(request, page.total.value);
      return {
        total: page.total,
        events: page.hits,
        next: page.next ? encodeCursor(page.next) : null,
        took_ms: Math.round(performance.now() - started),
      };
    },
  );

  app.get<{ Querystring: ScopeQuery & { interval: string } }>(
    '/api/histogram',
    {
      config: { permission: 'histogram' },
      schema: {
        summary: 'Counts of matching events over time, split by log.level',
        tags: ['search'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...scopeProperties,
            interval: {
              type: 'string',
              maxLength: 16,
              default: 'auto',
              description:
                'auto (60-120 buckets from 1s,5s,10s,30s,1m,5m,10m,30m,1h,3h,12h,1d) or <n>s|m|h|d',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['interval_ms', 'buckets', 'total'],
            properties: {
              interval_ms: { type: 'integer' },
              buckets: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['start', 'count', 'levels'],
                  properties: {
                    start: { type: 'string', format: 'date-time' },
                    count: { type: 'integer' },
                    levels: { type: 'object', additionalProperties: { type: 'integer' } },
                  },
                },
              },
              total: { type: 'integer' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const scope = scopeOf(request.query, now());
      const intervalMs = intervalOf(request.query.interval, scope);
      const histogram = await search.histogram(scope, intervalMs);
      return {
        interval_ms: intervalMs,
        buckets: histogram.buckets.map((bucket) => ({ ...bucket, start: iso(bucket.start) })),
        total: histogram.total,
      };
    },
  );

  app.get<{ Querystring: ScopeQuery }>(
    '/api/fields',
    {
      config: { permission: 'fields' },
      schema: {
        summary: 'Fields of the matching events',
        tags: ['search'],
        querystring: { type: 'object', additionalProperties: false, properties: scopeProperties },
        response: {
          200: {
            type: 'object',
            required: ['fields'],
            properties: {
              fields: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['name', 'type', 'searchable'],
                  properties: {
                    name: { type: 'string' },
                    type: {
                      type: 'string',
                      enum: ['keyword', 'text', 'long', 'double', 'date', 'ip', 'boolean'],
                    },
                    searchable: { type: 'boolean' },
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => ({ fields: await search.fields(scopeOf(request.query, now())) }),
  );

  app.get<{ Params: { name: string }; Querystring: ScopeQuery & { size: number } }>(
    '/api/fields/:name/top',
    {
      config: { permission: 'fields' },
      schema: {
        summary: 'Most frequent values of a field among the matching events',
        tags: ['search'],
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 256 } },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...scopeProperties, size: { type: 'integer', minimum: 1, maximum: 50, default: 10 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['field', 'total', 'other', 'values'],
            properties: {
              field: { type: 'string' },
              total: { type: 'integer', description: 'Matching events.' },
              other: { type: 'integer', description: 'Matching events whose value is not among `values`.' },
              values: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['value', 'count'],
                  properties: {
                    value: { type: ['string', 'number', 'boolean'] },
                    count: { type: 'integer' },
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const top = await search.topValues(
        scopeOf(request.query, now()),
        request.params.name,
        request.query.size,
      );
      return { field: request.params.name, ...top };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { before: number; after: number } }>(
    '/api/events/:id/context',
    {
      config: { permission: 'context', audit: true },
      schema: {
        summary:
          'Events written just before and after one event by the same source, in the order it wrote them',
        tags: ['search'],
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', minLength: 1, maxLength: 512 } },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            before: { type: 'integer', minimum: 0, maximum: 500, default: 20 },
            after: { type: 'integer', minimum: 0, maximum: 500, default: 20 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['source', 'anchor', 'before', 'after'],
            properties: {
              source: {
                type: 'object',
                required: ['kind', 'description', 'fields'],
                properties: {
                  kind: { type: 'string', enum: ['file', 'container', 'syslog', 'stream', 'time'] },
                  description: { type: 'string' },
                  fields: { type: 'object', additionalProperties: { type: 'string' } },
                  order: { type: 'array', items: { type: 'string' } },
                },
              },
              anchor: hitSchema,
              before: { type: 'array', items: hitSchema, description: 'Oldest first.' },
              after: { type: 'array', items: hitSchema, description: 'Oldest first.' },
            },
          },
          404: errorResponses[400],
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const context = await search.context(request.params.id, request.query.before, request.query.after);
      if (!context)
        throw new NotFoundError(`No event with id ${JSON.stringify(request.params.id.slice(0, 100))}`);
      recordResultCount(request, context.before.length + context.after.length + 1);
      return {
        source: context.source,
        anchor: plainHit(context.anchor),
        before: context.before.map(plainHit),
        after: context.after.map(plainHit),
      };
    },
  );
}
