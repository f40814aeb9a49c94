import type { Verdict } from '../detectors/verdict.js';
import type { Bucket } from './bucket.js';
import type { SeriesKey } from './series-state.js';

/**
 * One closed bucket of one series with the band its detectors expected, as indexed into
 * `vigie-metrics` for the charts (observed against expected).
 */
export interface BucketMetric {
  service: string;
  /** `url.path` or `host.name` for a route or host series; absent for the service. */
  field?: string;
  value?: string;
  /** Bucket start, ISO 8601. */
  '@timestamp': string;
  bucketMs: number;
  count: number;
  errors: number;
  errorRatio: number;
  status: { '1xx': number; '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  latency?: { samples: number; p50: number; p95: number; p99: number };
  expected: {
    errorRatio?: number;
    errorRatioUpper?: number;
    /** Events per window of the volume detector (see `windowMs`). */
    count?: number;
    countLower?: number;
    countUpper?: number;
    p95?: number;
    p95Lower?: number;
    p95Upper?: number;
    windowMs: number;
  };
}

/** The metric document of a closed bucket. */
export function bucketMetric(
  key: SeriesKey,
  bucket: Bucket,
  bucketMs: number,
  errors: Verdict,
  latency: Verdict,
  volume: Verdict | undefined,
): BucketMetric {
  const summary = bucket.summary();
  const [c1, c2, c3, c4, c5] = summary.statusClasses;
  const metric: BucketMetric = {
    service: key.service,
    '@timestamp': new Date(bucket.start).toISOString(),
    bucketMs,
    count: summary.count,
    errors: summary.errors,
    errorRatio: summary.count === 0 ? 0 : summary.errors / summary.count,
    status: { '1xx': c1, '2xx': c2, '3xx': c3, '4xx': c4, '5xx': c5 },
    expected: { windowMs: errors.windowMs },
  };
  if (key.field !== undefined) {
    metric.field = key.field;
    metric.value = key.value;
  }
  if (summary.latency) metric.latency = summary.latency;
  if (errors.expected > 0) {
    metric.expected.errorRatio = errors.expected;
    metric.expected.errorRatioUpper = errors.upper;
  }
  if (latency.expected > 0) {
    metric.expected.p95 = latency.expected;
    metric.expected.p95Lower = latency.lower;
    metric.expected.p95Upper = latency.upper;
  }
  if (volume && volume.expected > 0) {
    metric.expected.count = volume.expected;
    metric.expected.countLower = volume.lower;
    metric.expected.countUpper = volume.upper;
    metric.expected.windowMs = volume.windowMs;
  }
  return metric;
}
