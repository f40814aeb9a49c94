import type { BucketMetric, DetectionStore, LogSearch } from '@vigie/common';
import { WEEK_MS } from '@vigie/common';
import { expect, it } from 'vitest';

/** Two days after the contract's events, so no other case reads these metrics. */
const NOW = Date.UTC(2026, 10, 30, 12);
const RANGE = { from: NOW - 3_600_000, to: NOW };

/** A 10 s route bucket with `samples` requests of that p95. */
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

/**
 * The `routeLatency` cases of the `LogSearch` contract, on metrics written through the
 * store's `writeMetrics`: this week's range and the same range a week earlier.
 */
export function routeLatencyCases(
  store: () => LogSearch & DetectionStore & { refresh(): Promise<void> },
): void {
  it('ranks routes by request-weighted p95 against the same range a week earlier', async () => {
    const at = NOW - 600_000;
    const lastWeek = at - WEEK_MS;
    await store().writeMetrics([
      // 100 requests at 100 ms and 300 at 300 ms: weighted 250 ms (a plain mean would be 200).
      routeMetric('shop', '/api/orders/:id', at, 100, 100),
      routeMetric('shop', '/api/orders/:id', at + 10_000, 300, 300),
      routeMetric('shop', '/api/orders/:id', lastWeek, 50, 200),
      routeMetric('shop', '/api/cart', at, 40, 80),
      routeMetric('shop', '/api/cart', lastWeek, 40, 100),
      // A new route: nothing a week earlier.
      routeMetric('shop', '/api/search', at, 10, 400),
      routeMetric('billing', '/invoices/:id', at, 20, 150),
      routeMetric('billing', '/invoices/:id', lastWeek, 20, 150),
      // Outside both ranges, and the service's own series: never counted.
      routeMetric('shop', '/api/cart', NOW + 60_000, 1_000, 5_000),
      { ...routeMetric('shop', '', at, 500, 900), field: undefined, value: undefined },
    ]);
    await store().refresh();
    const routes = await store().routeLatency({ ...RANGE, limit: 10 });
    expect(routes).toEqual([
      { service: 'shop', route: '/api/search', requests: 10, p95: 400, previousP95: null, change: null },
      { service: 'shop', route: '/api/orders/:id', requests: 400, p95: 250, previousP95: 200, change: 0.25 },
      { service: 'billing', route: '/invoices/:id', requests: 20, p95: 150, previousP95: 150, change: 0 },
      { service: 'shop', route: '/api/cart', requests: 40, p95: 80, previousP95: 100, change: -0.2 },
    ]);
    const shop = await store().routeLatency({ ...RANGE, service: 'shop', limit: 2 });
    expect(shop.map((r) => r.route)).toEqual(['/api/search', '/api/orders/:id']);
    const billing = await store().routeLatency({ ...RANGE, service: 'billing', limit: 10 });
    expect(billing.map((r) => [r.route, r.previousP95])).toEqual([['/invoices/:id', 150]]);
    expect(await store().routeLatency({ ...RANGE, service: 'nobody', limit: 10 })).toEqual([]);
  });
}
