import type { BucketMetric, RouteLatency, RouteLatencyQuery, TimeRange } from '@vigie/common';
import { latencyChange, WEEK_MS } from '@vigie/common';

type RouteWindow = Pick<RouteLatency, 'service' | 'route' | 'requests' | 'p95'>;

/** The memory store's `routeLatency`: what the Elasticsearch aggregation computes, in code. */
export function memoryRouteLatency(
  metrics: Iterable<BucketMetric>,
  query: RouteLatencyQuery,
): RouteLatency[] {
  const all = [...metrics].filter((m) => query.service === undefined || m.service === query.service);
  const current = routeWindow(all, query)
    .sort((a, b) => b.p95 - a.p95 || a.service.localeCompare(b.service) || a.route.localeCompare(b.route))
    .slice(0, query.limit);
  const previous = new Map(
    routeWindow(all, { from: query.from - WEEK_MS, to: query.to - WEEK_MS }).map((r) => [key(r), r.p95]),
  );
  return current.map((route) => {
    const previousP95 = previous.get(key(route)) ?? null;
    return { ...route, previousP95, change: latencyChange(route.p95, previousP95) };
  });
}

const key = (route: Pick<RouteLatency, 'service' | 'route'>) => `${route.service}\0${route.route}`;

/** Each route's samples summed and its bucket p95s averaged weighted by samples. */
function routeWindow(metrics: BucketMetric[], range: TimeRange): RouteWindow[] {
  const routes = new Map<string, RouteWindow & { weighted: number }>();
  for (const metric of metrics) {
    const at = Date.parse(metric['@timestamp']);
    const samples = metric.latency?.samples ?? 0;
    if (metric.field !== 'url.path' || metric.value === undefined || samples <= 0) continue;
    if (at < range.from || at > range.to) continue;
    const route = { service: metric.service, route: metric.value };
    const entry = routes.get(key(route)) ?? { ...route, requests: 0, p95: 0, weighted: 0 };
    entry.requests += samples;
    entry.weighted += samples * (metric.latency?.p95 ?? 0);
    routes.set(key(route), entry);
  }
  return [...routes.values()].map(({ weighted, ...route }) => ({ ...route, p95: weighted / route.requests }));
}
