import { type Bucket, latencyOf, type SlowSample } from '../metrics/bucket.js';
import { LatencySketch } from '../metrics/sketch.js';
import type { SeriesDetector } from '../series/index.js';
import { quietVerdict, type Verdict } from './verdict.js';

/** Settings of the latency detector. */
export interface LatencyOptions {
  /** Quantile watched. */
  quantile: 0.95 | 0.99;
  /** Fewest durations in the window before its quantile means anything. */
  minSamples: number;
  /** Fewest requests above the band in the window: one slow request is not an incident. */
  minSlowRequests: number;
  /** ...and at least this share of the window's requests. */
  minSlowShare: number;
  /** Evaluations in a row that must be anomalous (10 s apart): a shift, not a burst. */
  sustain: number;
}

/** Defaults of the latency detector. */
export const LATENCY_DEFAULTS: LatencyOptions = {
  quantile: 0.95,
  minSamples: 20,
  minSlowRequests: 5,
  minSlowShare: 0.08,
  sustain: 2,
};

/**
 * p95 over the window against a baseline of the same series. The baseline learns the
 * logarithm of the p95 (latency shifts are multiplicative); the alert also needs a
 * sustained share of slow requests, so a single slow request never opens an anomaly.
 */
export class LatencyDetector {
  private lastUpperMs = Number.POSITIVE_INFINITY;
  private anomalousRun = 0;

  constructor(
    private readonly baseline: SeriesDetector,
    private readonly options: LatencyOptions = LATENCY_DEFAULTS,
  ) {}

  /** Upper edge of the band in ms, for the next bucket's slow count. */
  get slowAboveMs(): number {
    return this.lastUpperMs;
  }

  evaluate(window: readonly Bucket[], bucketMs: number, time: number, learn: boolean): Verdict {
    const windowMs = window.length * bucketMs;
    let samples = 0;
    for (const bucket of window) samples += bucket.sketch.count;
    // Most series of a large fleet have too few requests: no merge for them.
    if (samples === 0 || samples < this.options.minSamples) return quietVerdict('ms', windowMs);
    const sketch = WINDOW_SKETCH;
    sketch.clear();
    for (const bucket of window) sketch.merge(bucket.sketch);
    const observed = sketch.quantile(this.options.quantile);
    const value = Math.log(Math.max(observed, 1e-3));
    const verdict = learn ? this.baseline.update(time, value) : this.baseline.peek(time, value);
    const upperMs = Math.exp(verdict.upper);
    if (!verdict.warmingUp) this.lastUpperMs = upperMs;
    const slow = window.reduce((sum, b) => sum + b.slowCount, 0);
    const enoughSlow =
      slow >= Math.max(this.options.minSlowRequests, this.options.minSlowShare * sketch.count);
    const expected = Math.exp(verdict.expected);
    const { p50, p99 } = latencyOf(sketch);
    const label = this.options.quantile === 0.95 ? 'p95' : 'p99';
    const raw = verdict.isAnomaly && verdict.direction === 'up' && enoughSlow;
    this.anomalousRun = raw ? this.anomalousRun + 1 : 0;
    return {
      score: verdict.warmingUp ? 0 : verdict.score,
      anomalous: raw && this.anomalousRun >= this.options.sustain,
      observed: round(observed),
      expected: round(expected),
      lower: round(Math.exp(verdict.lower)),
      upper: round(upperMs),
      unit: 'ms',
      windowMs,
      describe: `${label} latency ${Math.round(observed)} ms against ${Math.round(expected)} ms expected (p50 ${Math.round(p50)} ms, p99 ${Math.round(p99)} ms, ${slow} of ${sketch.count} requests above ${Math.round(upperMs)} ms)`,
      sampleEventIds: slowestIds(window),
    };
  }
}

/** One sketch, reused for every window: evaluation is synchronous. */
const WINDOW_SKETCH = new LatencySketch();

/** Ids of the five slowest requests of the window, slowest first (ties: earliest first). */
function slowestIds(window: readonly Bucket[]): string[] {
  const samples: SlowSample[] = [];
  for (const bucket of window) bucket.forEachSlowSample((id, ms) => samples.push({ id, ms }));
  return samples
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5)
    .map((s) => s.id);
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
