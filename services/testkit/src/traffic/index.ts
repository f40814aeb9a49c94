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
