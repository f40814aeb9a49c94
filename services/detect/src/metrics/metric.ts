import type { BucketMetric } from '@vigie/common';
import type { Verdict } from '../detectors/verdict.js';
import type { Bucket } from './bucket.js';
import type { SeriesKey } from './series-state.js';

// Columns of one pending metric, as offsets in a row of `MetricOutbox.rows`.
const START = 0;
const COUNT = 1;
const ERRORS = 2;
const STATUS = 3; // five columns: 1xx … 5xx
const SAMPLES = 8; // latency: 0 when the bucket had no durations
const P50 = 9;
const P95 = 10;
const P99 = 11;
const ERR_WINDOW = 12;
const ERR_EXPECTED = 13;
const ERR_UPPER = 14;
const LAT_EXPECTED = 15;
const LAT_LOWER = 16;
const LAT_UPPER = 17;
const HAS_VOLUME = 18;
const VOL_EXPECTED = 19;
const VOL_LOWER = 20;
const VOL_UPPER = 21;
const VOL_WINDOW = 22;
const ROW = 23;

/**
 * The metric documents of closed buckets until the next `drain()`. A bucket close
 * publishes one document per series (10,000 at once for a large fleet); kept as objects
 * they outlive the young generation and fill the old one with garbage, so their numbers
 * wait in one reused typed array and the documents are built when drained.
 */
export class MetricOutbox {
  private rows = new Float64Array(ROW * 1024);
  private keys: SeriesKey[] = [];
  private bucketMs: number[] = [];

  get length(): number {
    return this.keys.length;
  }

  /** Records the metric of a closed bucket with the bands its detectors expected. */
  push(
    key: SeriesKey,
    bucket: Bucket,
    bucketMs: number,
    errors: Verdict,
    latency: Verdict,
    volume: Verdict | undefined,
  ): void {
    const at = this.keys.length * ROW;
    if (at + ROW > this.rows.length) {
      const grown = new Float64Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    const r = this.rows;
    r[START + at] = bucket.start;
    r[COUNT + at] = bucket.count;
    r[ERRORS + at] = bucket.errors;
    for (let i = 0; i < 5; i++) r[STATUS + i + at] = bucket.statusCount(i);
    const sketch = bucket.sketch;
    r[SAMPLES + at] = sketch.count;
    if (sketch.count > 0) {
      r[P50 + at] = round(sketch.quantile(0.5));
      r[P95 + at] = round(sketch.quantile(0.95));
      r[P99 + at] = round(sketch.quantile(0.99));
    }
    r[ERR_WINDOW + at] = errors.windowMs;
    r[ERR_EXPECTED + at] = errors.expected;
    r[ERR_UPPER + at] = errors.upper;
    r[LAT_EXPECTED + at] = latency.expected;
    r[LAT_LOWER + at] = latency.lower;
    r[LAT_UPPER + at] = latency.upper;
    r[HAS_VOLUME + at] = volume ? 1 : 0;
    if (volume) {
      r[VOL_EXPECTED + at] = volume.expected;
      r[VOL_LOWER + at] = volume.lower;
      r[VOL_UPPER + at] = volume.upper;
      r[VOL_WINDOW + at] = volume.windowMs;
    }
    this.keys.push(key);
    this.bucketMs.push(bucketMs);
  }

  /** The documents recorded since the last call, oldest first. */
  drain(): BucketMetric[] {
    const out: BucketMetric[] = [];
    let lastStart = Number.NaN;
    let timestamp = '';
    for (let i = 0; i < this.keys.length; i++) {
      const at = i * ROW;
      const start = this.rows[START + at] as number;
      // One close publishes every series at the same start: one string for all of them.
      if (start !== lastStart) {
        lastStart = start;
        timestamp = new Date(start).toISOString();
      }
      out.push(this.document(this.keys[i] as SeriesKey, this.bucketMs[i] as number, at, timestamp));
    }
    this.keys = [];
    this.bucketMs = [];
    return out;
  }

  private document(key: SeriesKey, bucketMs: number, at: number, timestamp: string): BucketMetric {
    const r = this.rows;
    const value = (column: number) => r[column + at] as number;
    const count = value(COUNT);
    const errors = value(ERRORS);
    const metric: BucketMetric = {
      service: key.service,
      '@timestamp': timestamp,
      bucketMs,
      count,
      errors,
      errorRatio: count === 0 ? 0 : errors / count,
      status: {
        '1xx': value(STATUS),
        '2xx': value(STATUS + 1),
        '3xx': value(STATUS + 2),
        '4xx': value(STATUS + 3),
        '5xx': value(STATUS + 4),
      },
      expected: { windowMs: value(ERR_WINDOW) },
    };
    if (key.field !== undefined) {
      metric.field = key.field;
      metric.value = key.value;
    }
    if (value(SAMPLES) > 0) {
      metric.latency = { samples: value(SAMPLES), p50: value(P50), p95: value(P95), p99: value(P99) };
    }
    if (value(ERR_EXPECTED) > 0) {
      metric.expected.errorRatio = value(ERR_EXPECTED);
      metric.expected.errorRatioUpper = value(ERR_UPPER);
    }
    if (value(LAT_EXPECTED) > 0) {
      metric.expected.p95 = value(LAT_EXPECTED);
      metric.expected.p95Lower = value(LAT_LOWER);
      metric.expected.p95Upper = value(LAT_UPPER);
    }
    if (value(HAS_VOLUME) === 1 && value(VOL_EXPECTED) > 0) {
      metric.expected.count = value(VOL_EXPECTED);
      metric.expected.countLower = value(VOL_LOWER);
      metric.expected.countUpper = value(VOL_UPPER);
      metric.expected.windowMs = value(VOL_WINDOW);
    }
    return metric;
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
