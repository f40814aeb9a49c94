import { Counter, Histogram, type LogSearch, type Registry } from '@vigie/common';
import type { FastifyInstance } from 'fastify';

/** The search API's Prometheus metrics, served on its ops port (`runApi`). */
export interface ApiMetrics {
  requests: Counter<'method' | 'route' | 'status_code'>;
  requestDuration: Histogram<'method' | 'route'>;
  storeDuration: Histogram<'operation' | 'outcome'>;
}

/** Requests that matched no route (404s, the UI's own paths) share one label value. */
export const UNMATCHED_ROUTE = 'unmatched';

// One entry per read of the store, checked against the port: the `operation` label can
// take these values only.
const OPERATIONS: Record<keyof LogSearch, true> = {
  search: true,
  histogram: true,
  fields: true,
  topValues: true,
  context: true,
  searchAnomalies: true,
  getAnomaly: true,
  countAnomalies: true,
  listMetrics: true,
  serviceSeries: true,
  listServices: true,
  routeLatency: true,
};

// Node accepts a few dozen methods (PROPFIND, MKCOL…) and answers them 404: one label for those.
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Registers the API's metrics in `registry`. */
export function createApiMetrics(registry: Registry): ApiMetrics {
  return {
    requests: new Counter({
      name: 'vigie_api_requests_total',
      help: 'HTTP requests answered by the search API, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status_code'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'vigie_api_request_duration_seconds',
      help: 'Time from request to response of the search API (a live tail counts until it closes).',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    storeDuration: new Histogram({
      name: 'vigie_api_store_duration_seconds',
      help: 'Time of each read of the log store (search, histogram, fields, top values…), by outcome.',
      labelNames: ['operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

/**
 * Counts and times every response. The route label is the route's pattern
 * (`/api/incidents/:id`), never the URL, so that ids and query strings cannot grow the
 * number of series.
 */
export function registerRequestMetrics(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const method = KNOWN_METHODS.has(request.method) ? request.method : 'other';
    metrics.requests.inc({ method, route, status_code: String(reply.statusCode) });
    metrics.requestDuration.observe({ method, route }, reply.elapsedTime / 1000);
  });
}

/** `search` with each read of the `LogSearch` port timed in `vigie_api_store_duration_seconds`. */
export function timedSearch<T extends LogSearch>(search: T, metrics: ApiMetrics): T {
  return new Proxy(search, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string' || !Object.hasOwn(OPERATIONS, key))
        return value;
      return (...args: unknown[]) => {
        const end = metrics.storeDuration.startTimer({ operation: key });
        // Async from the first call: a store that throws before its promise is timed too.
        return Promise.resolve()
          .then(() => value.apply(target, args) as Promise<unknown>)
          .then(
            (result) => {
              end({ outcome: 'ok' });
              return result;
            },
            (err: unknown) => {
              end({ outcome: 'error' });
              throw err;
            },
          );
      };
    },
  });
}
