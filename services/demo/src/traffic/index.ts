/**
 * Seeded, realistic log traffic for detection tests and demos: a few services with daily
 * seasonality, Poisson arrivals, log-normal latencies, background errors and failed
 * logins, into which incidents are injected (error spike, latency shift, silence, new
 * exception, brute force, password spraying, scan, deploy).
 *
 * ```ts
 * const start = Date.UTC(2026, 10, 23);
 * const scenario = { seed: 1, start, durationMs: 7 * DAY, services: defaultShop(), incidents: SCENARIO_INCIDENTS(start) };
 * for (const event of generateTraffic(scenario)) detector.observe(event);
 * const expected = ratePerSecond(defaultShop()[0], someTime, scenario);
 * ```
 */
export { generateTraffic } from './generate.js';
export { Rng, streamSeed } from './random.js';
export { DEFAULT_DAILY_AMPLITUDE, ratePerSecond, seasonality } from './rhythm.js';
export { defaultShop, SCENARIO_INCIDENTS } from './shop.js';
export type {
  ErrorTemplate,
  Incident,
  Rhythm,
  RouteProfile,
  ServiceKind,
  ServiceProfile,
  TrafficScenario,
} from './types.js';
