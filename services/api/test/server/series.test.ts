import type { BucketMetric } from '@vigie/common';
import { sampleAnomaly } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import {
  metricOfKind,
  pointOf,
  seriesOfAnomaly,
  sparklines,
  windowOfAnomaly,
} from '../../src/server/series.js';

const metric: BucketMetric = {
  service: 'shop',
  '@timestamp': '2026-11-28T12:00:00.000Z',
  bucketMs: 10_000,
  count: 12,
  errors: 3,
  errorRatio: 0.25,
  status: { '1xx': 0, '2xx': 9, '3xx': 0, '4xx': 0, '5xx': 3 },
  latency: { samples: 12, p50: 20, p95: 80, p99: 120 },
  expected: {
    count: 60,
    countLower: 30,
    countUpper: 90,
    errorRatio: 0.02,
    errorRatioUpper: 0.05,
    windowMs: 60_000,
  },
};

describe('chart series', () => {
  it('draws each metric against its band, the volume band scaled to the bucket', () => {
    expect(pointOf(metric, 'count')).toEqual({
      t: metric['@timestamp'],
      observed: 12,
      expected: 10,
      lower: 5,
      upper: 15,
    });
    expect(pointOf(metric, 'error_ratio')).toMatchObject({
      observed: 0.25,
      expected: 0.02,
      lower: 0,
      upper: 0.05,
    });
    expect(pointOf(metric, 'p95_ms')).toMatchObject({
      observed: 80,
      expected: null,
      lower: null,
      upper: null,
    });
    expect(pointOf({ ...metric, latency: undefined }, 'p95_ms')).toBeUndefined();
  });

  it('picks the metric and the series of an anomaly', () => {
    expect(metricOfKind('error_spike')).toBe('error_ratio');
    expect(metricOfKind('latency')).toBe('p95_ms');
    expect(metricOfKind('brute_force')).toBe('count');
    expect(seriesOfAnomaly(sampleAnomaly(1))).toEqual({ field: 'url.path', value: '/orders/1' });
    expect(
      seriesOfAnomaly(sampleAnomaly(1, { dimension: { field: 'source.ip', value: '10.0.0.1' } })),
    ).toEqual({});
  });

  it('shows an hour of baseline before an anomaly and at most 6 h in all', () => {
    const anomaly = sampleAnomaly(1, {
      start: '2026-11-28T12:00:00Z',
      end: '2026-11-28T12:05:00Z',
      windowMs: 30_000,
    });
    const now = Date.parse('2026-11-29T00:00:00Z');
    expect(windowOfAnomaly(anomaly, now)).toEqual({
      from: Date.parse('2026-11-28T11:00:00Z'),
      to: Date.parse('2026-11-28T12:20:00Z'),
    });
    const long = sampleAnomaly(2, {
      start: '2026-11-20T00:00:00Z',
      end: undefined,
      updated: '2026-11-28T23:59:00Z',
    });
    const window = windowOfAnomaly(long, now);
    expect(window.to).toBe(now);
    expect(window.to - window.from).toBe(6 * 3_600_000);
  });

  it('turns merged buckets into sparklines, skipping p95 where there was no latency', () => {
    const expected = {
      count: null,
      countLower: null,
      countUpper: null,
      errorRatio: 0.01,
      errorRatioUpper: 0.04,
      p95: null,
      p95Lower: null,
      p95Upper: null,
    };
    const lines = sparklines([
      { start: 0, count: 10, errors: 1, p95: 50, expected },
      { start: 60_000, count: 0, errors: 0, p95: null, expected },
    ]);
    expect(lines.volume.map((p) => p.observed)).toEqual([10, 0]);
    expect(lines.error_ratio.map((p) => [p.observed, p.lower, p.upper])).toEqual([
      [0.1, 0, 0.04],
      [0, 0, 0.04],
    ]);
    expect(lines.p95_ms).toEqual([
      { t: '1970-01-01T00:00:00.000Z', observed: 50, expected: null, lower: null, upper: null },
    ]);
  });
});
