import type { Registry } from '@vigie/common';
import { Counter, Histogram } from '@vigie/common';

/** Why a request body was refused; snake case, used as a metric label. */
export type BodyRejection =
  | 'too_large'
  | 'invalid_encoding'
  | 'unsupported_encoding'
  | 'unsupported_media_type'
  | 'invalid_json'
  | 'invalid_payload'
  | 'unauthorized'
  | 'backpressure';

/** The HTTP source's counters, shared by every route. */
export interface HttpMetrics {
  requests: Counter<'route' | 'status'>;
  events: Counter<'route'>;
  bytes: Counter<'route'>;
  rejected: Counter<'reason'>;
  duration: Histogram<'route'>;
}

// Apps built twice on one registry (tests, restarts) must share the metrics, not clash.
function reuse<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/** Creates the metrics on `registry`, or returns those already there. */
export function httpMetrics(registry: Registry): HttpMetrics {
  const registers = [registry];
  return {
    requests: reuse(
      registry,
      'vigie_http_requests_total',
      () =>
        new Counter({
          name: 'vigie_http_requests_total',
          help: 'HTTP requests answered by the collector, by route and status.',
          labelNames: ['route', 'status'],
          registers,
        }),
    ),
    events: reuse(
      registry,
      'vigie_http_events_total',
      () =>
        new Counter({
          name: 'vigie_http_events_total',
          help: 'Events accepted over HTTP (durable in the sink), by route.',
          labelNames: ['route'],
          registers,
        }),
    ),
    bytes: reuse(
      registry,
      'vigie_http_received_bytes_total',
      () =>
        new Counter({
          name: 'vigie_http_received_bytes_total',
          help: 'Request body bytes received over HTTP as sent (compressed or not), by route.',
          labelNames: ['route'],
          registers,
        }),
    ),
    rejected: reuse(
      registry,
      'vigie_http_rejected_bodies_total',
      () =>
        new Counter({
          name: 'vigie_http_rejected_bodies_total',
          help: 'HTTP requests refused before their events reached the sink, by reason.',
          labelNames: ['reason'],
          registers,
        }),
    ),
    duration: reuse(
      registry,
      'vigie_http_request_duration_seconds',
      () =>
        new Histogram({
          name: 'vigie_http_request_duration_seconds',
          help: 'Time from request to answer, including the wait for durability, by route.',
          labelNames: ['route'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers,
        }),
    ),
  };
}
