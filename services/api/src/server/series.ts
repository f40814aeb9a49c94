import type { Anomaly, BucketMetric } from '@vigie/common';

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

/** The time around an anomaly its chart shows: enough baseline before, some after. */
export function windowOfAnomaly(anomaly: Anomaly, now: number): { from: number; to: number } {
  const start = Date.parse(anomaly.start);
  const end = Date.parse(anomaly.end ?? anomaly.updated);
  const before = Math.max(20 * anomaly.windowMs, 3_600_000);
  const after = Math.max(5 * anomaly.windowMs, 900_000);
  return { from: start - before, to: Math.min(Math.max(end + after, start), Math.max(now, end)) };
}

const sum = (values: Array<number | null>): number | null => {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0);
};
const mean = (values: Array<number | null>): number | null => {
  const total = sum(values);
  const count = values.filter((v) => v !== null).length;
  return total === null ? null : total / count;
};

/**
 * Points of one metric merged into buckets of `intervalMs` so a sparkline stays short:
 * counts add up, ratios are weighted by volume, p95 keeps the worst bucket.
 */
export function downsample(metrics: BucketMetric[], name: MetricName, intervalMs: number): Point[] {
  const groups = new Map<number, BucketMetric[]>();
  for (const metric of metrics) {
    const key = Math.floor(Date.parse(metric['@timestamp']) / intervalMs) * intervalMs;
    const group = groups.get(key) ?? [];
    group.push(metric);
    groups.set(key, group);
  }
  const out: Point[] = [];
  for (const [key, group] of [...groups].sort((a, b) => a[0] - b[0])) {
    const points = group.flatMap((m) => pointOf(m, name) ?? []);
    if (points.length === 0) continue;
    const t = new Date(key).toISOString();
    if (name === 'count') {
      out.push({
        t,
        observed: points.reduce((a, p) => a + p.observed, 0),
        expected: sum(points.map((p) => p.expected)),
        lower: sum(points.map((p) => p.lower)),
        upper: sum(points.map((p) => p.upper)),
      });
    } else if (name === 'error_ratio') {
      const events = group.reduce((a, m) => a + m.count, 0);
      const errors = group.reduce((a, m) => a + m.errors, 0);
      out.push({
        t,
        observed: events > 0 ? errors / events : 0,
        expected: mean(points.map((p) => p.expected)),
        lower: mean(points.map((p) => p.lower)),
        upper: mean(points.map((p) => p.upper)),
      });
    } else {
      out.push({
        t,
        observed: Math.max(...points.map((p) => p.observed)),
        expected: mean(points.map((p) => p.expected)),
        lower: mean(points.map((p) => p.lower)),
        upper: mean(points.map((p) => p.upper)),
      });
    }
  }
  return out;
}
