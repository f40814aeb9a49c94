/**
 * Turning standardised errors into a score. A single point is judged on its own error and
 * on two running means of recent errors (a few points, a few dozen), each measured
 * against its own long-run size: a spike shows in the first, a level shift or a slow
 * drift in the others, earlier than any single point would show it.
 */

/** Smoothing of the short and the long running means of errors, per point. */
const HORIZON_RATES = [0.3, 0.05] as const;
/** Smoothing of the long-run size of each running mean, per point. */
const SIZE_RATE = 0.005;
/** Running means beyond this many sizes are clipped before their size is learned. */
const SIZE_CLIP = 4;
/**
 * Smoothing of the long-run distribution of deviations, per point: spiky series (tweets,
 * load-balancer counts) deviate often, and what matters is a deviation rare *for them*.
 */
const TAIL_RATE = 0.002;
/** Deviations beyond this many standard deviations of the tail are clipped before learning. */
const TAIL_CLIP = 3;
const MAD_TO_SIGMA = Math.sqrt(Math.PI / 2);

/** What a {@link ScoreState} keeps, as plain JSON. */
export interface ScoreStateJson {
  means: number[];
  sizes: number[];
  /** Long-run mean and variance of log(1 + |deviation|). */
  tail: [number, number];
}

/** The deviation of a point in robust standard deviations, signed, with its source. */
export interface Deviation {
  /** Signed deviation; its absolute value drives the score. */
  z: number;
  /** 0 for the point alone, 1.. for the running means. */
  horizon: number;
  /** How unusual the deviation is for this series, in standard deviations of its log. */
  surprise: number;
}

/** Running means of standardised errors and their long-run sizes. */
export class ScoreState {
  readonly means: number[];
  readonly sizes: number[];
  tail: [number, number];

  constructor(json?: ScoreStateJson) {
    this.means = json ? [...json.means] : HORIZON_RATES.map(() => 0);
    // Starting sizes: those of the running means of independent unit normal errors.
    this.sizes = json ? [...json.sizes] : HORIZON_RATES.map((r) => Math.sqrt(r / (2 - r)) / MAD_TO_SIGMA);
    // log(1 + |z|) of unit normal errors: mean about 0.53, variance about 0.17.
    this.tail = json ? [...json.tail] : [0.53, 0.17];
  }

  /** The strongest deviation of `z` (the point's standardised error), without learning it. */
  deviation(z: number): Deviation {
    let best = z;
    let horizon = 0;
    HORIZON_RATES.forEach((rate, i) => {
      const mean = (this.means[i] as number) + rate * (z - (this.means[i] as number));
      const scaled = mean / (MAD_TO_SIGMA * (this.sizes[i] as number));
      if (Math.abs(scaled) > Math.abs(best)) {
        best = scaled;
        horizon = i + 1;
      }
    });
    const surprise = (Math.log1p(Math.abs(best)) - this.tail[0]) / Math.sqrt(this.tail[1]);
    return { z: best, horizon, surprise };
  }

  /** The deviation of a single point whose surprise is `surprise`: where the normal band ends. */
  deviationFor(surprise: number): number {
    return Math.expm1(this.tail[0] + surprise * Math.sqrt(this.tail[1]));
  }

  /** Learns the point's standardised error. */
  learn(z: number): void {
    const u = Math.log1p(Math.abs(this.deviation(z).z));
    const [mean, variance] = this.tail;
    const d = Math.min(u - mean, TAIL_CLIP * Math.sqrt(variance));
    this.tail = [mean + TAIL_RATE * d, Math.max(1e-4, variance + TAIL_RATE * (d * d - variance))];
    HORIZON_RATES.forEach((rate, i) => {
      const mean = (this.means[i] as number) + rate * (z - (this.means[i] as number));
      this.means[i] = mean;
      const size = this.sizes[i] as number;
      const magnitude = Math.min(Math.abs(mean), SIZE_CLIP * size);
      this.sizes[i] = Math.max(1e-6, size + SIZE_RATE * (magnitude - size));
    });
  }

  /** Plain JSON state. */
  toJSON(): ScoreStateJson {
    return { means: [...this.means], sizes: [...this.sizes], tail: [...this.tail] };
  }
}

/** Score in [0,1] of a surprise (0 below 0): 0.5 at `halfAt`, 0.9 at 3×. */
export function scoreOf(surprise: number, halfAt: number): number {
  const q = (Math.max(0, surprise) / halfAt) ** 2;
  return q / (1 + q);
}

/** The surprise whose score is `score`: the inverse of {@link scoreOf}. */
export function surpriseAt(score: number, halfAt: number): number {
  return halfAt * Math.sqrt(score / (1 - score));
}
