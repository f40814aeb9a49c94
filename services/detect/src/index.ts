// Detection without I/O: the processor feeds it events and buckets, the offline tools feed it files.

export type { BucketMetric } from '@vigie/common';
export {
  DetectionEngine,
  type DetectionOutput,
  ENGINE_SNAPSHOT_VERSION,
  type EngineSnapshot,
  type EngineStats,
} from './engine.js';
export { routeTemplate } from './metrics/route.js';
export type {
  Anomaly,
  AnomalyKind,
  AnomalyState,
  ChangeMarker,
  Contributor,
  DetectionInput,
  Dimension,
  Severity,
} from './model.js';
export { eventTime, parseEventTime } from './model.js';
export { DETECTION_DEFAULTS, type DetectionOptions } from './options.js';
export * from './patterns/index.js';
export * from './series/index.js';
export { binomialUpperTail, poissonLowerTail, poissonUpperTail, scoreFromPValue } from './stats/tails.js';
