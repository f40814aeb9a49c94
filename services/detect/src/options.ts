import { ERROR_SPIKE_DEFAULTS, type ErrorSpikeOptions } from './detectors/error-spike.js';
import { LATENCY_DEFAULTS, type LatencyOptions } from './detectors/latency.js';
import { NEW_PATTERN_DEFAULTS, type NewPatternOptions } from './detectors/new-pattern.js';
import { SECURITY_DEFAULTS, type SecurityOptions } from './detectors/security.js';
import { VOLUME_DEFAULTS, type VolumeOptions } from './detectors/volume.js';
import { TRACKER_DEFAULTS, type TrackerOptions } from './tracker.js';

/** Settings of the detection engine; every detector's defaults live next to it. */
export interface DetectionOptions {
  /** Width of the event-time buckets, ms. */
  bucketMs: number;
  /** How late an event may arrive and still count in its bucket, ms (the watermark's lag). */
  allowedLatenessMs: number;
  /** Buckets in a detector's window (3 × 10 s = 30 s). */
  windowBuckets: number;
  /** A route or host series without events for this long is forgotten, ms. */
  seriesIdleMs: number;
  /** A service without events for this long is forgotten (its silence is reported before), ms. */
  serviceIdleMs: number;
  /** Routes and hosts followed per service at most (each is a series). */
  maxSeriesPerService: number;
  /** Half-life of the breakdown baselines that explain anomalies, in buckets. */
  breakdownHalfLifeBuckets: number;
  errorSpike: ErrorSpikeOptions;
  latency: LatencyOptions;
  volume: VolumeOptions;
  newPattern: NewPatternOptions;
  security: SecurityOptions;
  tracker: TrackerOptions;
}

/** Defaults of the detection engine. */
export const DETECTION_DEFAULTS: DetectionOptions = {
  bucketMs: 10_000,
  allowedLatenessMs: 5_000,
  windowBuckets: 3,
  seriesIdleMs: 30 * 60_000,
  serviceIdleMs: 24 * 3_600_000,
  maxSeriesPerService: 200,
  breakdownHalfLifeBuckets: 360,
  errorSpike: ERROR_SPIKE_DEFAULTS,
  latency: LATENCY_DEFAULTS,
  volume: VOLUME_DEFAULTS,
  newPattern: NEW_PATTERN_DEFAULTS,
  security: SECURITY_DEFAULTS,
  tracker: TRACKER_DEFAULTS,
};
