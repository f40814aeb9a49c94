import {
  ANOMALY_KINDS,
  type AnomalyKind,
  type AnomalyState,
  type LogSearch,
  type Severity,
} from '@vigie/common';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../errors.js';
import { anomalySchema, errorResponses, pointSchema } from '../schemas.js';
import { intervalOf } from '../scope.js';
import { metricOfKind, pointOf, seriesOfAnomaly, sparklines, windowOfAnomaly } from '../series.js';
import { parseRange } from '../time.js';

interface AnomaliesQuery {
  from?: string;
  to?: string;
  service?: string;
  kind?: AnomalyKind;
  severity?: Severity;
  state?: AnomalyState;
  size: number;
}

const timeProperties = {
  from: {
    type: 'string',
    maxLength: 64,
    description: 'ISO 8601, epoch ms or relative (now-24h). Default now-24h.',
  },
  to: { type: 'string', maxLength: 64, description: 'Default now.' },
} as const;

/** GET /api/anomalies, /api/anomalies/:id and /api/services. */
export function registerAnomalyRoutes(app: FastifyInstance, search: LogSearch, now: () => number): void {
  app.get<{ Querystring: AnomaliesQuery }>(
    '/api/anomalies',
    {
      config: { permission: 'anomalies' },
      schema: {
        summary: 'Anomalies active in a time range, most recently updated first',
        tags: ['anomalies'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...timeProperties,
            service: { type: 'string', maxLength: 256 },
            kind: { type: 'string', enum: [...ANOMALY_KINDS] },
            severity: { type: 'string', enum: ['info', 'warning', 'critical'] },
            state: { type: 'string', enum: ['open', 'closed'] },
            size: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['anomalies'],
            properties: { anomalies: { type: 'array', items: anomalySchema } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { from, to, service, kind, severity, state, size } = request.query;
      const range = parseRange(from ?? 'now-24h', to, now());
      return { anomalies: await search.searchAnomalies({ range, service, kind, severity, state, size }) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/anomalies/:id',
    {
      config: { permission: 'anomalies' },
      schema: {
        summary: 'One anomaly with its observed series against the expected band',
        tags: ['anomalies'],
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', minLength: 1, maxLength: 512 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['anomaly', 'series'],
            properties: {
              anomaly: anomalySchema,
              series: {
                type: 'object',
                required: ['metric', 'points'],
                properties: {
                  metric: { type: 'string', enum: ['count', 'error_ratio', 'p95_ms'] },
                  field: { type: 'string' },
                  value: { type: 'string' },
                  from: { type: 'string', format: 'date-time' },
                  to: { type: 'string', format: 'date-time' },
                  points: { type: 'array', items: pointSchema },
                },
              },
            },
          },
          404: errorResponses[400],
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const anomaly = await search.getAnomaly(request.params.id);
      if (!anomaly)
        throw new NotFoundError(`No anomaly with id ${JSON.stringify(request.params.id.slice(0, 100))}`);
      const metric = metricOfKind(anomaly.kind);
      const window = windowOfAnomaly(anomaly, now());
      const slice = seriesOfAnomaly(anomaly);
      const metrics = await search.listMetrics({ ...window, service: anomaly.service, ...slice });
      return {
        anomaly,
        series: {
          metric,
          ...slice,
          from: new Date(window.from).toISOString(),
          to: new Date(window.to).toISOString(),
          points: metrics.flatMap((m) => pointOf(m, metric) ?? []),
        },
      };
    },
  );

  const points = { type: 'array', items: pointSchema } as const;
  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/api/services',
    {
      config: { permission: 'services' },
      schema: {
        summary:
          'Services with their volume, error ratio and p95 against the expected band, and open anomalies',
        tags: ['anomalies'],
        querystring: { type: 'object', additionalProperties: false, properties: timeProperties },
        response: {
          200: {
            type: 'object',
            required: ['services'],
            properties: {
              services: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['name', 'version', 'volume', 'error_ratio', 'p95_ms', 'open_anomalies'],
                  properties: {
                    name: { type: 'string' },
                    version: { type: ['string', 'null'] },
                    events: { type: 'integer' },
                    volume: points,
                    error_ratio: points,
                    p95_ms: points,
                    open_anomalies: { type: 'integer' },
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
      const range = parseRange(request.query.from ?? 'now-24h', request.query.to, now());
      const intervalMs = intervalOf('auto', range);
      const [seen, series, open] = await Promise.all([
        search.listServices(range, 200),
        search.serviceSeries(range, intervalMs, 200),
        search.searchAnomalies({ state: 'open', size: 1000 }),
      ]);
      const names = new Set([...seen.map((s) => s.name), ...series.map((s) => s.service)]);
      const services = [...names].map((name) => {
        const logs = seen.find((s) => s.name === name);
        return {
          name,
          version: logs?.version ?? null,
          events: logs?.events ?? 0,
          ...sparklines(series.find((s) => s.service === name)?.buckets ?? []),
          open_anomalies: open.filter((a) => a.service === name).length,
        };
      });
      services.sort((a, b) => b.events - a.events || a.name.localeCompare(b.name));
      return { services };
    },
  );
}
