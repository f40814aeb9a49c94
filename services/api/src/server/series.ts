import type { Anomaly, BucketMetric, ServiceBucket } from '@vigie/common';

/** A chart point: observed against the band the detectors expected (null before a baseline). */
export interface Point {
  t: string;
  observed: number;
  expected: number | null;
  lower: number | null;
  upper: number | null;
}

/** What a series charts. */
export type MetricName = 'count' | 'error_ratio' | 'p95_ms';

const opt = (value: number | undefined, scale = 1): number | null =>
  value === undefined ? null : value * scale;

/**
 * One bucket as a point of `metric`. The volume detector's band is per window
 * (`expected.windowMs`), so it is scaled to the bucket to sit next to its count.
 */
export function pointOf(metric: BucketMetric, name: MetricName): Point | undefined {
  const { expected } = metric;
  const t = metric['@timestamp'];
  if (name === 'error_ratio') {
    return {
      t,
      observed: metric.errorRatio,
      expected: opt(expected.errorRatio),
      lower: expected.errorRatio === undefined ? null : 0,
      upper: opt(expected.errorRatioUpper),
    };
  }
  if (name === 'p95_ms') {
    if (!metric.latency) return undefined;
    return {
      t,
      observed: metric.latency.p95,
      expected: opt(expected.p95),
      lower: opt(expected.p95Lower),
      upper: opt(expected.p95Upper),
    };
  }
  const scale = expected.windowMs > 0 ? metric.bucketMs / expected.windowMs : 1;
  return {
    t,
    observed: metric.count,
    expected: opt(expected.count, scale),
    lower: opt(expected.countLower, scale),
    upper: opt(expected.countUpper, scale),
  };
}

/** The metric an anomaly of this kind is drawn with. */
export function metricOfKind(kind: Anomaly['kind']): MetricName {
  if (kind === 'error_spike') return 'error_ratio';
  if (kind === 'latency') return 'p95_ms';
  return 'count';
}

/** The series split an anomaly's dimension has in the metrics, if any (routes and hosts). */
export function seriesOfAnomaly(anomaly: Anomaly): { field?: string; value?: string } {
  const { field, value } = anomaly.dimension;
  return field !== undefined && value !== undefined && (field === 'url.path' || field === 'host.name')
    ? { field, value }
    : {};
}

const MAX_WINDOW_MS = 6 * 3_600_000;

/** The time around an anomaly its chart shows: enough baseline before, some after, 6 h at most. */
export function windowOfAnomaly(anomaly: Anomaly, now: number): { from: number; to: number } {
  const start = Date.parse(anomaly.start);
  const end = Date.parse(anomaly.end ?? anomaly.updated);
  const before = Math.max(20 * anomaly.windowMs, 3_600_000);
  const after = Math.max(5 * anomaly.windowMs, 900_000);
  const to = Math.min(Math.max(end + after, start), Math.max(now, end));
  // A long-running anomaly shows its last hours: the metrics read stay bounded.
  return { from: Math.max(start - before, to - MAX_WINDOW_MS), to };
}

/** A service's merged buckets as the three sparklines of the services page. */
export function sparklines(buckets: ServiceBucket[]): Record<'volume' | 'error_ratio' | 'p95_ms', Point[]> {
  const t = (bucket: ServiceBucket) => new Date(bucket.start).toISOString();
  return {
    volume: buckets.map((b) => ({
      t: t(b),
      observed: b.count,
      expected: b.expected.count,
      lower: b.expected.countLower,
      upper: b.expected.countUpper,
    })),
    error_ratio: buckets.map((b) => ({
      t: t(b),
      observed: b.count > 0 ? b.errors / b.count : 0,
      expected: b.expected.errorRatio,
      lower: b.expected.errorRatio === null ? null : 0,
      upper: b.expected.errorRatioUpper,
    })),
    p95_ms: buckets.flatMap((b) =>
      b.p95 === null
        ? []
        : [
            {
              t: t(b),
              observed: b.p95,
              expected: b.expected.p95,
              lower: b.expected.p95Lower,
              upper: b.expected.p95Upper,
            },
          ],
    ),
  };
}
