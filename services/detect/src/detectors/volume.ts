import type { Bucket } from '../metrics/bucket.js';
import type { SeriesDetector } from '../series/index.js';
import { poissonLowerTail, poissonUpperTail, scoreFromPValue } from '../stats/tails.js';
import { quietVerdict, type Verdict } from './verdict.js';

/** Settings of the volume detector. */
export interface VolumeOptions {
  /** Alert level of the Poisson tests. */
  alpha: number;
  /** Observed must be at least this multiple of expected (or at most its inverse). */
  minFactor: number;
}

/** Defaults of the volume detector. */
export const VOLUME_DEFAULTS: VolumeOptions = { alpha: 1e-5, minFactor: 2 };

/** What a volume verdict is about. */
export type VolumeDirection = 'high' | 'low';

/**
 * Events per window against a seasonal baseline (the series detector), confirmed by a
 * Poisson test so low volumes are judged as counts. Silence is judged on the run of
 * empty buckets: no events while Σλ were expected has probability e^-Σλ.
 */
export class VolumeDetector {
  /** Expected events summed over the current run of empty buckets. */
  private silentExpected = 0;
  private silentBuckets = 0;
  private lastExpectedPerBucket = 0;

  constructor(
    private readonly baseline: SeriesDetector,
    private readonly options: VolumeOptions = VOLUME_DEFAULTS,
  ) {}

  evaluate(
    window: readonly Bucket[],
    bucketMs: number,
    time: number,
    learn: boolean,
  ): Verdict & { direction?: VolumeDirection } {
    const windowMs = window.length * bucketMs;
    const observed = window.reduce((sum, b) => sum + b.count, 0);
    const last = window[window.length - 1];
    const verdict = learn ? this.baseline.update(time, observed) : this.baseline.peek(time, observed);
    if (verdict.warmingUp) return quietVerdict('events', windowMs);
    const expected = Math.max(verdict.expected, 0);
    const perBucket = expected / window.length;
    if (last && last.count === 0) {
      this.silentExpected += this.lastExpectedPerBucket > 0 ? this.lastExpectedPerBucket : perBucket;
      this.silentBuckets++;
    } else {
      this.silentExpected = 0;
      this.silentBuckets = 0;
      this.lastExpectedPerBucket = perBucket;
    }
    const band = { expected: round(expected), lower: round(verdict.lower), upper: round(verdict.upper) };
    if (this.silentBuckets > 0) {
      const p = Math.exp(-this.silentExpected);
      return {
        score: scoreFromPValue(p),
        anomalous: p < this.options.alpha,
        observed: 0,
        ...band,
        unit: 'events',
        windowMs: this.silentBuckets * bucketMs,
        describe: `no events for ${(this.silentBuckets * bucketMs) / 1000} s while about ${Math.round(this.silentExpected)} were expected`,
        sampleEventIds: [],
        direction: 'low',
      };
    }
    const high = observed > expected;
    const p = high ? poissonUpperTail(observed, expected) : poissonLowerTail(observed, expected);
    const factorOk = high
      ? observed >= expected * this.options.minFactor
      : observed * this.options.minFactor <= expected;
    const directionOk = verdict.direction === (high ? 'up' : 'down');
    return {
      score: directionOk ? Math.min(verdict.score, scoreFromPValue(p)) : 0,
      anomalous: directionOk && verdict.isAnomaly && factorOk && p < this.options.alpha,
      observed,
      ...band,
      unit: 'events',
      windowMs,
      describe: `${observed} events in ${windowMs / 1000} s against about ${Math.round(expected)} expected`,
      sampleEventIds: [],
      direction: high ? 'high' : 'low',
    };
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
