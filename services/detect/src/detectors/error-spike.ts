import type { Bucket } from '../metrics/bucket.js';
import { binomialUpperTail, scoreFromPValue } from '../stats/tails.js';
import { quietVerdict, type Verdict } from './verdict.js';

/** Settings of the error-spike detector. */
export interface ErrorSpikeOptions {
  /** Half-life of the baseline error ratio, in buckets (360 × 10 s = 1 h). */
  halfLifeBuckets: number;
  /** Requests the baseline must have seen before it may alert (cold start). */
  warmupRequests: number;
  /** Buckets with traffic the baseline must have seen before it may alert. */
  warmupBuckets: number;
  /** Fewest errors in the window for an alert: 3 errors are never a spike. */
  minErrors: number;
  /** The window's ratio must be at least this multiple of the baseline ratio. */
  minRatioFactor: number;
  /** Prior error ratio, weighted as `priorRequests` requests, so a clean baseline is not 0. */
  priorRatio: number;
  priorRequests: number;
}

/** Defaults of the error-spike detector. */
export const ERROR_SPIKE_DEFAULTS: ErrorSpikeOptions = {
  halfLifeBuckets: 360,
  warmupRequests: 300,
  warmupBuckets: 30,
  minErrors: 5,
  minRatioFactor: 2,
  priorRatio: 0.002,
  priorRequests: 200,
};

/** State of the error-ratio baseline of one series, as stored in snapshots. */
export interface ErrorBaselineState {
  errors: number;
  requests: number;
  buckets: number;
}

/**
 * Error ratio tested as counts: the window's errors against Binomial(requests, baseline
 * ratio), over the last bucket and over the whole window, so a sharp spike is caught
 * in one bucket and a moderate one over three.
 */
export class ErrorSpikeDetector {
  private readonly decay: number;

  constructor(
    private readonly state: ErrorBaselineState,
    private readonly options: ErrorSpikeOptions = ERROR_SPIKE_DEFAULTS,
  ) {
    this.decay = 0.5 ** (1 / options.halfLifeBuckets);
  }

  static fresh(): ErrorBaselineState {
    return { errors: 0, requests: 0, buckets: 0 };
  }

  /** Baseline error ratio (smoothed towards the prior while history is short). */
  get expectedRatio(): number {
    const { priorRatio, priorRequests } = this.options;
    return (this.state.errors + priorRatio * priorRequests) / (this.state.requests + priorRequests);
  }

  get warmingUp(): boolean {
    return (
      this.state.requests < this.options.warmupRequests || this.state.buckets < this.options.warmupBuckets
    );
  }

  /** Judges the window (oldest first; the last bucket is the one that just closed). */
  evaluate(window: readonly Bucket[], bucketMs: number): Verdict {
    const verdict = quietVerdict('ratio', window.length * bucketMs);
    if (this.warmingUp || window.length === 0) return verdict;
    const p0 = this.expectedRatio;
    const last = window[window.length - 1] as Bucket;
    let best = { p: 1, errors: 0, requests: 0, buckets: 0 };
    for (const span of [1, window.length]) {
      const slice = window.slice(-span);
      const errors = slice.reduce((sum, b) => sum + b.errors, 0);
      const requests = slice.reduce((sum, b) => sum + b.count, 0);
      if (requests === 0) continue;
      const p = binomialUpperTail(errors, requests, p0);
      if (p < best.p) best = { p, errors, requests, buckets: span };
    }
    if (best.requests === 0) return verdict;
    const ratio = best.errors / best.requests;
    const score = scoreFromPValue(best.p);
    // A two-sided band would flag the quiet side too; errors only matter upwards.
    const upper = upperRatio(best.requests, p0);
    return {
      score,
      anomalous:
        best.errors >= this.options.minErrors && ratio >= this.options.minRatioFactor * p0 && last.count > 0,
      observed: ratio,
      expected: p0,
      lower: 0,
      upper,
      unit: 'ratio',
      windowMs: best.buckets * bucketMs,
      describe: `error ratio ${percent(ratio)} (${best.errors} of ${best.requests} requests in ${(best.buckets * bucketMs) / 1000} s) against ${percent(p0)} expected`,
      sampleEventIds: lastErrorIds(window, 5),
    };
  }

  /** Learns a closed bucket; skipped while an anomaly is open so an incident does not become normal. */
  learn(bucket: Bucket): void {
    this.state.errors = this.state.errors * this.decay + bucket.errors;
    this.state.requests = this.state.requests * this.decay + bucket.count;
    if (bucket.count > 0) this.state.buckets++;
  }
}

/**
 * The error ratio a window of `requests` may reach before the alert level, for charts:
 * the normal approximation at p = 1e-5 (z = 4.26) is close enough for a band.
 */
function upperRatio(requests: number, p0: number): number {
  return Math.min(1, p0 + 4.26 * Math.sqrt((p0 * (1 - p0)) / requests));
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio < 0.01 ? 2 : 1)}%`;
}

/** The last `n` error sample ids of the window, oldest first. */
function lastErrorIds(window: readonly Bucket[], n: number): string[] {
  const ids: string[] = [];
  for (const bucket of window) {
    bucket.forEachErrorSample((id) => {
      ids.push(id);
      if (ids.length > n) ids.shift();
    });
  }
  return ids;
}
