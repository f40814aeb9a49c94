// The generator lives in @vigie/demo (the live demo source runs on it); tests keep importing it from here.
export {
  DEFAULT_DAILY_AMPLITUDE,
  defaultShop,
  type ErrorTemplate,
  generateTraffic,
  type Incident,
  type Rhythm,
  Rng,
  type RouteProfile,
  ratePerSecond,
  SCENARIO_INCIDENTS,
  type ServiceKind,
  type ServiceProfile,
  seasonality,
  streamSeed,
  type TrafficScenario,
} from '@vigie/demo';
export { seedShopLogs } from './seed.js';
