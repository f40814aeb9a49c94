/**
 * Turning standardised errors into a score. A point is judged on its own error and on two
 * running means of recent errors (a few points, a few dozen): a spike shows in the first,
 * a level shift or a slow drift in the others, earlier than any single point shows it.
 */

/**
 * Smoothing of the running means of errors, per point: 1 is the point alone, then a few
 * points, then a few dozen.
 */
const HORIZON_RATES = [1, 0.3, 0.05];
/** Smoothing of the long-run size of each running mean, per point. */
const SIZE_RATE = 0.005;
/** Running means beyond this many sizes are clipped before their size is learned. */
const SIZE_CLIP = 4;
/** Smoothing of the long-run distribution of log(1 + |deviation|), per point. */
const TAIL_RATE = 0.002;
/** Deviations beyond this many standard deviations of the tail are clipped before learning. */
const TAIL_CLIP = 3;
/**
 * Share of its excess over the usual deviation that the remembered peak loses per point
 * (a half-life of about 2,300 points: 8 days of 5-minute points, 6 hours of 10-second ones).
 */
const PEAK_FADE = 0.0003;
/** log(1 + deviation) below which no deviation counts as a record (4.5 standard deviations). */
const MIN_RECORD = Math.log1p(4.5);
/** Surprise of a deviation that equals the remembered peak. */
const PEAK_SURPRISE = 4;
const MAD_TO_SIGMA = Math.sqrt(Math.PI / 2);

/** What a {@link ScoreState} keeps, as plain JSON: per horizon, running values. */
export interface ScoreStateJson {
  /** Running mean of standardised errors. */
  means: number[];
  /** Long-run mean absolute value of that running mean. */
  sizes: number[];
  /** Long-run mean and variance of log(1 + |deviation|) (the variance bounds what is learned). */
  tails: [number, number][];
  /** Decayed running maximum of log(1 + |deviation|), per horizon for rises then for drops. */
  peaks: number[];
}

/** The deviation of a point in robust standard deviations, signed, with its source. */
export interface Deviation {
  /** Signed deviation, in standard deviations of its horizon. */
  z: number;
  /** 0 for the point alone, 1.. for the running means. */
  horizon: number;
  /**
   * How unusual the deviation is for this series: 4 when log(1 + |z|) exceeds its long-run
   * mean by as much as the largest deviation remembered lately did.
   */
  surprise: number;
}

/**
 * Running means of standardised errors at several horizons, each measured against its
 * own long-run size, then against the largest such deviation seen lately (a slowly fading
 * peak). Anomalies are rare by nature: a series that spikes every day (tweets, batch
 * jobs) only alarms on a spike bigger than its recent ones, a smooth one on its first odd
 * point, and one incident does not alarm again and again at the same size.
 */
export class ScoreState {
  readonly means: number[];
  readonly sizes: number[];
  readonly tails: [number, number][];
  readonly peaks: number[];

  constructor(json?: ScoreStateJson) {
    this.means = json ? [...json.means] : HORIZON_RATES.map(() => 0);
    // Starting sizes: those of the running means of independent unit normal errors.
    this.sizes = json ? [...json.sizes] : HORIZON_RATES.map((r) => Math.sqrt(r / (2 - r)) / MAD_TO_SIGMA);
    // log(1 + |z|) of unit normal errors: mean about 0.53, variance about 0.17.
    this.tails = json ? json.tails.map(([m, v]) => [m, v]) : HORIZON_RATES.map(() => [0.53, 0.17]);
    this.peaks = json ? [...json.peaks] : [...HORIZON_RATES, ...HORIZON_RATES].map(() => 1.5);
  }

  private running(z: number, i: number): number {
    const rate = HORIZON_RATES[i] as number;
    const mean = (this.means[i] as number) + rate * (z - (this.means[i] as number));
    return mean;
  }

  /** The most surprising deviation of `z` (the point's standardised error), without learning it. */
  deviation(z: number): Deviation {
    let best: Deviation = { z: 0, horizon: 0, surprise: Number.NEGATIVE_INFINITY };
    for (let i = 0; i < HORIZON_RATES.length; i++) {
      const scaled = this.running(z, i) / (MAD_TO_SIGMA * (this.sizes[i] as number));
      const mean = (this.tails[i] as [number, number])[0];
      const u = Math.log1p(Math.abs(scaled));
      const peak = this.peaks[scaled < 0 ? i + HORIZON_RATES.length : i] as number;
      // The floor keeps plain noise quiet: its record deviations fade and get beaten again
      // and again, but seldom by 4.5 standard deviations.
      const surprise = (PEAK_SURPRISE * (u - mean)) / Math.max(peak - mean, MIN_RECORD - mean);
      if (surprise > best.surprise) best = { z: scaled, horizon: i, surprise };
    }
    return best;
  }

  /** The error of a single point (rise or drop, in standard deviations) whose surprise is `surprise`. */
  deviationFor(surprise: number, drop: boolean): number {
    const mean = (this.tails[0] as [number, number])[0];
    const peak = this.peaks[drop ? HORIZON_RATES.length : 0] as number;
    const reach = Math.max(peak - mean, MIN_RECORD - mean);
    return Math.expm1(mean + (surprise * reach) / PEAK_SURPRISE) * MAD_TO_SIGMA * (this.sizes[0] as number);
  }

  /** Learns the point's standardised error. */
  learn(z: number): void {
    for (let i = 0; i < HORIZON_RATES.length; i++) {
      const running = this.running(z, i);
      const size = this.sizes[i] as number;
      const u = Math.log1p(Math.abs(running / (MAD_TO_SIGMA * size)));
      const [mean, variance] = this.tails[i] as [number, number];
      const d = Math.min(u - mean, TAIL_CLIP * Math.sqrt(variance));
      this.tails[i] = [mean + TAIL_RATE * d, Math.max(1e-4, variance + TAIL_RATE * (d * d - variance))];
      this.means[i] = running;
      // Rises and drops keep separate peaks: a series that often spikes up may never drop.
      for (const k of [i, i + HORIZON_RATES.length]) {
        const own = k === i ? running >= 0 : running < 0;
        const peak = this.peaks[k] as number;
        this.peaks[k] = Math.max(own ? u : 0, mean + (peak - mean) * (1 - PEAK_FADE));
      }
      const magnitude = Math.min(Math.abs(running), SIZE_CLIP * size);
      this.sizes[i] = Math.max(1e-6, size + SIZE_RATE * (magnitude - size));
    }
  }

  /** Plain JSON state. */
  toJSON(): ScoreStateJson {
    return {
      means: [...this.means],
      sizes: [...this.sizes],
      tails: this.tails.map(([m, v]) => [m, v]),
      peaks: [...this.peaks],
    };
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
