import type { LogSearch } from '@vigie/common';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../schemas.js';
import { parseRange } from '../time.js';

interface PerformanceQuery {
  service?: string;
  from?: string;
  to?: string;
  limit: number;
}

const nullableMs = { type: ['number', 'null'] } as const;

/** GET /api/performance: routes ranked by p95 latency against the previous week. */
export function registerPerformanceRoute(app: FastifyInstance, search: LogSearch, now: () => number): void {
  app.get<{ Querystring: PerformanceQuery }>(
    '/api/performance',
    {
      config: { permission: 'services' },
      schema: {
        summary: 'Routes ranked by p95 latency, with their p95 over the same range one week earlier',
        tags: ['anomalies'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            service: {
              type: 'string',
              minLength: 1,
              maxLength: 256,
              description: 'One service; every service when absent.',
            },
            from: {
              type: 'string',
              maxLength: 64,
              description: 'ISO 8601, epoch ms or relative (now-24h). Default now-24h.',
            },
            to: { type: 'string', maxLength: 64, description: 'Default now.' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['from', 'to', 'routes'],
            properties: {
              from: { type: 'string', format: 'date-time' },
              to: { type: 'string', format: 'date-time' },
              routes: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['service', 'route', 'requests', 'p95_ms', 'previous_p95_ms', 'change'],
                  properties: {
                    service: { type: 'string' },
                    route: {
                      type: 'string',
                      description: 'Route template, value-like path segments as `:id`.',
                    },
                    requests: { type: 'integer', description: 'Requests with a duration in the range.' },
                    p95_ms: {
                      type: 'number',
                      description:
                        "The 10 s buckets' p95 averaged weighted by their requests: an estimate, not an exact percentile of all the range's requests.",
                    },
                    previous_p95_ms: {
                      ...nullableMs,
                      description:
                        'The same estimate over the same range one week earlier; null without requests then.',
                    },
                    change: {
                      ...nullableMs,
                      description:
                        '(p95_ms - previous_p95_ms) / previous_p95_ms; null without a previous p95.',
                    },
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
      const { service, from, to, limit } = request.query;
      const range = parseRange(from ?? 'now-24h', to, now());
      const routes = await search.routeLatency({ ...range, service, limit });
      return {
        from: new Date(range.from).toISOString(),
        to: new Date(range.to).toISOString(),
        routes: routes.map((r) => ({
          service: r.service,
          route: r.route,
          requests: r.requests,
          p95_ms: r.p95,
          previous_p95_ms: r.previousP95,
          change: r.change,
        })),
      };
    },
  );
}
