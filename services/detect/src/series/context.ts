/**
 * Contextual novelty, in the spirit of KNN-CAD (Burnaev and Ishimtsev, 2016): how far the
 * shape of the last few points lies from its nearest neighbour among the shapes of a short
 * history. The baselines judge a point against one expected value; a shape never seen
 * before (a daily hump at half its height, a burst of spikes at a new rhythm, a flat line
 * where the series usually wiggles) can stay inside their band point by point and still
 * be plainly new.
 */

/** Points per shape. */
const SHAPE = 5;
/** The current shape while it is compared (updates are synchronous: one buffer serves every detector). */
const SHAPE_SCRATCH = new Float64Array(SHAPE);
/** Points of history kept; the neighbours are the shapes that end in it. */
export const CONTEXT_HISTORY = 300;
/** Smoothing of the long-run mean and variance of the log-distances, per point. */
const RATE = 0.005;
/** Share of its height that the remembered peak loses per point (half-life ~2,300 points). */
const FADE = 0.0003;
/** Standardised log-distance below which none counts as a record. */
const MIN_RECORD = 4;
/** Surprise of a distance that equals the remembered peak (the score's scale, score.ts). */
const PEAK_SURPRISE = 4;
/** Added to distances (in units of the scale) so that repeated values do not give log(0). */
const DISTANCE_FLOOR = 1e-3;
/**
 * Share of points whose shape may be new (beyond {@link MIN_RECORD}) before novelty is
 * damped in proportion: in a sparse count (mostly zeros) every uncommon arrangement of a
 * few ones is new, yet they come every few dozen points and mean nothing.
 */
const USUAL_NEW_SHARE = 0.01;
/** Smoothing of the share of new shapes, per point (a memory of ~500 points). */
const NEW_SHARE_RATE = 0.002;
/** Distances learned before novelty is scored: their mean and variance need a few dozen. */
const MIN_LEARNED = 50;

/** What a {@link ContextState} keeps, as plain JSON. */
export interface ContextStateJson {
  /** The last points, oldest first (at most {@link CONTEXT_HISTORY}). */
  values: number[];
  /** Long-run mean and variance of log(nearest distance). */
  mean: number;
  variance: number;
  /** Fading record of the standardised log-distance. */
  peak: number;
  /** Distances learned so far. */
  learned: number;
  /** Recent share of points whose shape was new (absent in the first snapshots with novelty). */
  newShare?: number;
}

/**
 * The novelty of a series' recent shape: the distance from the shape ending at the current
 * point to its nearest neighbour in the last {@link CONTEXT_HISTORY} points, on a log
 * scale, standardised against its own long-run mean and variance and then measured
 * against its fading record, like the deviations of score.ts, so a series whose shapes are
 * always new (noise) is not surprised by one more, and damped when new shapes are common
 * (sparse counts). A few hundred numbers; an update costs one pass over the history.
 */
export class ContextState {
  /**
   * The last points, single precision: a detector runs for every route and host of every
   * service, and shapes are compared to a share of the series' magnitude, far coarser than
   * seven significant digits. Created on the first point (a restored detector may have none).
   */
  private ring: Float32Array | undefined;
  /** Points in the ring, and where the next one goes. */
  private size = 0;
  private next = 0;
  private mean = 0;
  private variance = 1;
  private peak = MIN_RECORD;
  private learned = 0;
  private newShare = 0;
  /** The last distance computed and what it was for: judging then learning a point needs it twice. */
  private memo = { value: Number.NaN, scale: Number.NaN, next: -1, size: -1, u: null as number | null };

  constructor(json?: ContextStateJson) {
    if (json) {
      for (const value of json.values.slice(-CONTEXT_HISTORY)) this.push(value);
      this.mean = json.mean;
      this.variance = json.variance;
      this.peak = json.peak;
      this.learned = json.learned;
      this.newShare = json.newShare ?? 0;
    }
  }

  private push(value: number): void {
    this.ring ??= new Float32Array(CONTEXT_HISTORY);
    this.ring[this.next] = value;
    this.next = (this.next + 1) % CONTEXT_HISTORY;
    this.size = Math.min(this.size + 1, CONTEXT_HISTORY);
  }

  /** The point `age` steps back in the ring (1 = the last one pushed). */
  private back(age: number): number {
    return (this.ring as Float32Array)[(this.next + CONTEXT_HISTORY - age) % CONTEXT_HISTORY] as number;
  }

  /** log(distance to the nearest neighbour) of the shape ending with `value`, or null if too early. */
  private logDistance(value: number, scale: number): number | null {
    const memo = this.memo;
    if (memo.value === value && memo.scale === scale && memo.next === this.next && memo.size === this.size)
      return memo.u;
    const u = this.nearest(value, scale);
    this.memo = { value, scale, next: this.next, size: this.size, u };
    return u;
  }

  private nearest(value: number, scale: number): number | null {
    const size = this.size;
    if (size < 2 * SHAPE + 10) return null;
    const ring = this.ring as Float32Array;
    const shape = SHAPE_SCRATCH;
    shape[0] = value;
    for (let l = 1; l < SHAPE; l++) shape[l] = this.back(l);
    // Neighbours end `age` points back and do not overlap the current shape. Indices run
    // down from the newest point and wrap at the start of the ring.
    let best = Number.POSITIVE_INFINITY;
    for (let age = SHAPE + 1; age <= size - SHAPE + 1; age++) {
      let index = this.next - age;
      if (index < 0) index += CONTEXT_HISTORY;
      let d = 0;
      for (let l = 0; l < SHAPE && d < best; l++) {
        d += Math.abs((shape[l] as number) - (ring[index] as number));
        if (--index < 0) index = CONTEXT_HISTORY - 1;
      }
      if (d < best) best = d;
    }
    return Math.log(best / SHAPE / scale + DISTANCE_FLOOR);
  }

  /**
   * How new the shape ending with `value` is, on the scale of score.ts's surprise (4 as new
   * as the record lately), 0 while too little is known. `scale` is the unit of distance
   * (a share of the series' magnitude).
   */
  surprise(value: number, scale: number): number {
    if (this.learned < MIN_LEARNED) return 0;
    const u = this.logDistance(value, scale);
    if (u === null) return 0;
    const z = (u - this.mean) / Math.sqrt(this.variance);
    const damping = Math.min(1, USUAL_NEW_SHARE / Math.max(this.newShare, 1e-9));
    return (damping * PEAK_SURPRISE * z) / Math.max(this.peak, MIN_RECORD);
  }

  /** Learns the point: its shape's distance, then the point joins the history. */
  learn(value: number, scale: number): void {
    const u = this.logDistance(value, scale);
    if (u !== null) {
      const sd = Math.sqrt(this.variance);
      const z = (u - this.mean) / sd;
      const rate = Math.max(RATE, 1 / (this.learned + 1));
      // Clipped, so that one burst of novelty does not teach that novelty is usual.
      const d = Math.min(u - this.mean, 3 * sd);
      this.mean += rate * d;
      this.variance = Math.max(1e-4, this.variance + rate * (d * d - this.variance));
      this.peak = Math.max(z, this.peak * (1 - FADE));
      this.newShare += NEW_SHARE_RATE * ((z > MIN_RECORD ? 1 : 0) - this.newShare);
      this.learned++;
    }
    this.push(value);
  }

  /** Plain JSON state. */
  toJSON(): ContextStateJson {
    const values: number[] = [];
    for (let age = this.size; age >= 1; age--) values.push(this.back(age));
    return {
      values,
      mean: this.mean,
      variance: this.variance,
      peak: this.peak,
      learned: this.learned,
      newShare: this.newShare,
    };
  }
}
