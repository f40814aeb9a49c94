import type { SeriesDetectorOptions } from './options.js';
import { type ProfileState, SeasonalProfile } from './profile.js';

/** Ratio of the standard deviation to the mean absolute deviation of a normal distribution. */
const MAD_TO_SIGMA = Math.sqrt(Math.PI / 2);

/** What a {@link Baseline} keeps, as plain JSON. */
export interface BaselineState {
  level: number;
  trend: number;
  /** Robust standard deviation of the one-step errors. */
  spread: number;
  /** Time-weighted mean absolute error, to choose between baselines. */
  fitError: number;
  /** Consecutive clipped errors of the same sign (positive above, negative below). */
  clippedRun: number;
  profile: ProfileState | null;
}

/**
 * One candidate baseline: a robust damped-trend level (Holt's method in error-correction
 * form, with errors clipped so that anomalies barely move it), plus an optional seasonal
 * profile (Holt-Winters). The detector runs one without profile and one per period, and
 * scores against whichever has fitted the recent history best.
 */
export class Baseline {
  level: number;
  trend = 0;
  spread: number;
  fitError: number;
  clippedRun = 0;
  readonly profile: SeasonalProfile | null;

  constructor(level: number, spread: number, profile: SeasonalProfile | null) {
    this.level = level;
    this.spread = spread;
    this.fitError = spread / MAD_TO_SIGMA;
    this.profile = profile;
  }

  /** A baseline from a snapshot. */
  static fromState(state: BaselineState): Baseline {
    const profile = state.profile
      ? new SeasonalProfile(state.profile.periodMs, state.profile.values.length, state.spread, state.profile)
      : null;
    const baseline = new Baseline(state.level, state.spread, profile);
    baseline.trend = state.trend;
    baseline.fitError = state.fitError;
    baseline.clippedRun = state.clippedRun;
    return baseline;
  }

  /** The value expected at `time`, before learning the point observed then. */
  predict(time: number, trendDamping: number): number {
    return this.level + trendDamping * this.trend + (this.profile ? this.profile.at(time) : 0);
  }

  /** The usual size of errors at `time`: the profile's where there is one. */
  spreadAt(time: number, floor: number): number {
    return Math.max(floor, this.profile ? this.profile.spreadAt(time) : this.spread);
  }

  /**
   * Learns the value observed at `time`. `history` is the time since the series began,
   * `stepMs` the time the point covers (to weigh seasonal learning), `fitWeight` the
   * weight of this point in the fit error, `floor` the smallest spread allowed.
   */
  learn(
    point: { time: number; value: number; history: number; stepMs: number },
    fitWeight: number,
    floor: number,
    o: SeriesDetectorOptions,
  ): void {
    const { time, value, history, stepMs } = point;
    const error = value - this.predict(time, o.trendDamping);
    const limit = o.clipSpreads * this.spreadAt(time, floor);
    const learned = Math.max(-limit, Math.min(limit, error));
    const clipped = Math.min(Math.abs(error), limit);
    // A profile's first period learns its shape as seen (nothing is known to clip against),
    // its second period learns the size of errors at each slot; then both learn robustly.
    const period = this.profile?.periodMs ?? 0;
    const shaping = history < period;
    if (this.profile) {
      if (shaping) this.profile.learn(time, error, 1, 0, 0, stepMs);
      else if (history < 2 * period)
        this.profile.learn(time, learned, o.seasonalRate, MAD_TO_SIGMA * Math.abs(error), 0.5, stepMs);
      else
        this.profile.learn(
          time,
          learned * (1 - o.levelRate),
          o.seasonalRate,
          MAD_TO_SIGMA * clipped,
          o.seasonalRate,
          stepMs,
        );
    }
    if (learned === error) this.clippedRun = 0;
    else if (Math.sign(error) === Math.sign(this.clippedRun)) this.clippedRun += Math.sign(error);
    else this.clippedRun = Math.sign(error);
    if (Math.abs(this.clippedRun) >= o.levelShiftPoints && !shaping) {
      // A run of clipped errors on one side is a new level, not a string of outliers:
      // the level moves there at once instead of creeping by clipped steps.
      this.level += o.trendDamping * this.trend + error;
      this.clippedRun = 0;
    } else if (!shaping) {
      this.level += o.trendDamping * this.trend + o.levelRate * learned;
      this.trend = o.trendDamping * this.trend + o.trendRate * learned;
    }
    this.spread = Math.max(floor, this.spread + o.spreadRate * (MAD_TO_SIGMA * clipped - this.spread));
    // Unclipped: clipping at each baseline's own spread would favour the one that fits worst.
    this.fitError += fitWeight * (Math.abs(error) - this.fitError);
  }

  /** Plain JSON state. */
  toState(): BaselineState {
    return {
      level: this.level,
      trend: this.trend,
      spread: this.spread,
      fitError: this.fitError,
      clippedRun: this.clippedRun,
      profile: this.profile ? this.profile.toJSON() : null,
    };
  }
}
