import type { BucketMetric } from '@vigie/common';
import type { Verdict } from '../detectors/verdict.js';
import type { Bucket } from './bucket.js';
import type { SeriesKey } from './series-state.js';

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
