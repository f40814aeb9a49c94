import type { RouteProfile, ServiceKind, ServiceProfile } from '../../src/index.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** A Monday, midnight UTC. */
export const MONDAY = Date.UTC(2026, 10, 23);

/** The q-quantile (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** A service of one route, for tests that measure one behaviour. */
export function oneRouteService(
  kind: ServiceKind,
  route: Partial<RouteProfile> = {},
  peakEventsPerSecond = 20,
): ServiceProfile {
  return {
    name: `svc-${kind}`,
    version: '1.0.0',
    kind,
    hosts: ['h-1', 'h-2'],
    peakEventsPerSecond,
    routes: [
      {
        method: 'POST',
        path: kind === 'auth' ? '/login' : kind === 'worker' ? 'send-email' : '/api/orders/:id',
        weight: 1,
        latencyMedianMs: 80,
        latencyP95Ms: 300,
        errorRatio: 0.02,
        ...route,
      },
    ],
  };
}
