/**
 * Simulated shop traffic. The seeded generator (`generateTraffic`) feeds tests and
 * benchmarks; `LiveDemoTraffic` replays it in real time with scheduled incidents for
 * the demo mode of `vigie all`.
 */

export { LiveDemoTraffic, type LiveDemoTrafficOptions } from './live/live-traffic.js';
export {
  DEMO_DEFAULTS,
  DEMO_LABEL,
  type DemoOptions,
  demoIncidents,
  incidentRound,
} from './live/schedule.js';
export * from './traffic/index.js';
