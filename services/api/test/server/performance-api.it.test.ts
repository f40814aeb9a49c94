import type { BucketMetric } from '@vigie/common';
import { ElasticsearchStore } from '@vigie/storage';
import { deletePrefix, ENGINES, testLogger, uniqueName } from '@vigie/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer } from '../../src/index.js';
import { apiConfig, getJson } from './harness.js';

const NOW = Date.UTC(2026, 10, 28, 18);
const WEEK = 7 * 86_400_000;
const prefix = uniqueName('vigie-it-perf');
const store = new ElasticsearchStore({
  url: ENGINES.elasticsearchUrl,
  indexPrefix: prefix,
  requestTimeoutMs: 30_000,
  totalFieldsLimit: 1000,
  logger: testLogger(),
});
let app: FastifyInstance;

function routeMetric(service: string, route: string, at: number, samples: number, p95: number): BucketMetric {
  return {
    service,
    field: 'url.path',
    value: route,
    '@timestamp': new Date(at).toISOString(),
    bucketMs: 10_000,
    count: samples,
    errors: 0,
    errorRatio: 0,
    status: { '1xx': 0, '2xx': samples, '3xx': 0, '4xx': 0, '5xx': 0 },
    latency: { samples, p50: p95 / 2, p95, p99: p95 * 2 },
    expected: { windowMs: 60_000 },
  };
}

interface PerformanceBody {
  from: string;
  routes: Array<{
    service: string;
    route: string;
    requests: number;
    p95_ms: number;
    previous_p95_ms: number | null;
    change: number | null;
  }>;
}

beforeAll(async () => {
  await store.setupDetection();
  const hourAgo = NOW - 3_600_000;
  await store.writeMetrics([
    routeMetric('shop', '/api/orders/:id', hourAgo, 100, 120),
    routeMetric('shop', '/api/orders/:id', hourAgo - WEEK, 100, 80),
    routeMetric('shop', '/api/cart', hourAgo, 30, 60),
    routeMetric('auth', '/login', hourAgo, 10, 90),
    // Older than the default range (the last 24 h).
    routeMetric('shop', '/api/old', NOW - 30 * 3_600_000, 5, 999),
  ]);
  await store.refresh();
  app = await createApiServer({
    store,
    search: store,
    config: apiConfig(),
    logger: testLogger(),
    now: () => NOW,
  });
});
afterAll(async () => {
  await app?.close();
  await store.close();
  await deletePrefix(prefix);
});

describe('GET /api/performance', () => {
  it('ranks the last 24 h routes by p95 with the change against a week earlier', async () => {
    const { status, body } = await getJson<PerformanceBody>(app, '/api/performance');
    expect(status).toBe(200);
    expect(body.from).toBe(new Date(NOW - 86_400_000).toISOString());
    expect(body.routes).toEqual([
      {
        service: 'shop',
        route: '/api/orders/:id',
        requests: 100,
        p95_ms: 120,
        previous_p95_ms: 80,
        change: 0.5,
      },
      { service: 'auth', route: '/login', requests: 10, p95_ms: 90, previous_p95_ms: null, change: null },
      { service: 'shop', route: '/api/cart', requests: 30, p95_ms: 60, previous_p95_ms: null, change: null },
    ]);
  });

  it('filters by service and limits the ranking', async () => {
    const { body } = await getJson<PerformanceBody>(
      app,
      '/api/performance?service=shop&limit=1&from=now-48h',
    );
    expect(body.routes.map((r) => r.route)).toEqual(['/api/old']);
    const { body: shop } = await getJson<PerformanceBody>(app, '/api/performance?service=shop');
    expect(shop.routes.map((r) => r.route)).toEqual(['/api/orders/:id', '/api/cart']);
  });

  it('answers a bad limit or an unknown parameter with a 400', async () => {
    expect((await getJson(app, '/api/performance?limit=0')).status).toBe(400);
    expect((await getJson(app, '/api/performance?limit=501')).status).toBe(400);
    expect((await getJson(app, '/api/performance?sort=asc')).status).toBe(400);
    expect((await getJson(app, '/api/performance?from=now&to=now-1h')).status).toBe(400);
  });

  it('is in the OpenAPI document', async () => {
    const { body } = await getJson<{ paths: Record<string, unknown> }>(app, '/api/openapi.json');
    expect(Object.keys(body.paths)).toContain('/api/performance');
  });
});
