import { median, medianAbsoluteDeviation } from 'simple-statistics';
import { Baseline } from './baseline.js';
import { ContextState } from './context.js';
import { resolveSeriesOptions, type SeriesDetectorOptions } from './options.js';
import { SeasonalProfile } from './profile.js';
import { ScoreState, scoreOf, surpriseAt } from './score.js';
import { checkSnapshot, SERIES_SNAPSHOT_VERSION, type SeriesDetectorSnapshot } from './snapshot.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** MAD of a normal distribution times this is its standard deviation. */
const MAD_SCALE = 1.4826;
/** Time constant of the fit errors that choose between baselines. */
const FIT_TIME_MS = DAY_MS;
/** Smoothing of the magnitude and of the interval between points, per point. */
const SLOW_RATE = 0.01;
/** Points needed before a warming-up series gets scores other than 0. */
const MIN_SCORED_POINTS = 10;

/** The judgement of one point of a series. */
export interface SeriesVerdict {
  /**
   * How anomalous the point is, in [0,1]: a transform of how rare its deviation from the
   * baseline, or the shape of the last few points (context.ts), is for this series (0.5 at
   * `halfScoreSurprise`). A new shape can score high while the value is inside the band.
   */
  score: number;
  /** `score >= threshold`, outside warm-up. */
  isAnomaly: boolean;
  /** Value the baseline expected at this time. */
  expected: number;
  /** Lower edge of the normal band (values below it score at least the threshold alone). */
  lower: number;
  /** Upper edge of the normal band. */
  upper: number;
  /** Side of the deviation that drove the score. */
  direction: 'up' | 'down' | 'none';
  /** True until the series has `warmUpPoints` points: no alarm is raised meanwhile. */
  warmingUp: boolean;
}

/**
 * Online, causal baseline and anomaly detector of one numeric series (a latency
 * percentile or an event count per bucket). Feed it points in time order with
 * {@link update}; it learns a robust level, spread and trend, daily and weekly profiles
 * when the data shows them, and scores each point before learning it. Pure: time is a
 * parameter, state goes out as a versioned JSON {@link snapshot}. One detector is a few
 * hundred numbers (the seasonal profiles), whatever the length of the series.
 *
 * Besides the deviation from the baseline, the shape of the last few points is compared
 * with those of the last few hundred (contextual novelty, context.ts): whichever is more
 * surprising drives the score.
 *
 * An alarm starts a cooldown (`cooldownPoints`) during which scores are damped unless
 * the deviation grows `escalation` times larger, so one incident raises one alarm; and
 * since scores are relative to the largest deviations seen lately (score.ts), a series
 * that is always spiky alarms only on what is unusual for it.
 */
export class SeriesDetector {
  private readonly o: SeriesDetectorOptions;
  private count = 0;
  private lastTime: number | null = null;
  /** When the baselines started (end of warm-up): their profiles' periods count from it. */
  private startedAt: number | null = null;
  private warmValues: number[] = [];
  private magnitude = 0;
  private stepMs = 0;
  private baselines: Baseline[] = [];
  private score = new ScoreState();
  private context = new ContextState();
  private cooldown = { left: 0, deviation: 0 };

  constructor(options: Partial<SeriesDetectorOptions> = {}) {
    this.o = resolveSeriesOptions(options);
  }

  /**
   * Scores the point at `time` (epoch ms), then learns it. Points come in time order; a
   * non-finite value (a missing bucket) is neither scored nor learned.
   */
  update(time: number, value: number): SeriesVerdict {
    if (!Number.isFinite(value) || !Number.isFinite(time)) return this.judge(time, Number.NaN, false);
    const verdict = this.judge(time, value, true);
    this.learn(time, value);
    return verdict;
  }

  /** Scores a value without learning it (for what-if and explanations). */
  peek(time: number, value: number): SeriesVerdict {
    return this.judge(time, value, false);
  }

  /** Points learned so far. */
  get points(): number {
    return this.count;
  }

  private get warmingUp(): boolean {
    return this.baselines.length === 0;
  }

  /** The baseline that has fitted the recent history best among those with enough of it. */
  private selected(): Baseline {
    const plain = this.baselines[0] as Baseline;
    let best = plain;
    const history = this.lastTime !== null && this.startedAt !== null ? this.lastTime - this.startedAt : 0;
    for (const candidate of this.baselines.slice(1)) {
      const period = candidate.profile?.periodMs ?? Number.POSITIVE_INFINITY;
      if (history < 2 * period) continue;
      if (candidate.fitError < this.o.seasonalGain * plain.fitError && candidate.fitError < best.fitError)
        best = candidate;
    }
    return best;
  }

  private judge(time: number, value: number, commit: boolean): SeriesVerdict {
    let expected: number;
    let spread: number;
    if (this.warmingUp) {
      const values = this.warmValues;
      expected = values.length > 0 ? median(values) : Number.isFinite(value) ? value : 0;
      spread = values.length > 2 ? MAD_SCALE * medianAbsoluteDeviation(values) : 0;
      spread = Math.max(spread, this.spreadFloor(expected));
    } else {
      const baseline = this.selected();
      expected = baseline.predict(time, this.o.trendDamping);
      spread = baseline.spreadAt(time, this.spreadFloor(expected));
    }
    const halfAt = this.o.halfScoreSurprise;
    const edge = surpriseAt(this.o.threshold, halfAt);
    const verdict: SeriesVerdict = {
      score: 0,
      isAnomaly: false,
      expected,
      lower: expected - this.score.deviationFor(edge, true) * spread,
      upper: expected + this.score.deviationFor(edge, false) * spread,
      direction: 'none',
      warmingUp: this.warmingUp,
    };
    // A spread from a handful of points means nothing yet: the first ones are not scored.
    if (!Number.isFinite(value) || (this.warmingUp && this.warmValues.length < MIN_SCORED_POINTS))
      return verdict;
    const z = (value - expected) / spread;
    const deviation = this.score.deviation(z);
    // A new shape can raise the score of a point that its deviation alone would not.
    const novelty =
      this.o.contextWeight > 0 ? this.o.contextWeight * this.context.surprise(value, this.contextScale()) : 0;
    let score = scoreOf(Math.max(deviation.surprise, novelty), halfAt);
    const inCooldown = this.cooldown.left > 0;
    const escalated = Math.abs(deviation.z) > this.o.escalation * this.cooldown.deviation;
    if (inCooldown && !escalated) score *= this.o.cooldownDamping;
    verdict.score = score;
    verdict.direction = deviation.z > 0 ? 'up' : deviation.z < 0 ? 'down' : 'none';
    verdict.isAnomaly = !this.warmingUp && score >= this.o.threshold;
    if (commit && !this.warmingUp) {
      if (this.cooldown.left > 0) this.cooldown.left--;
      if (verdict.isAnomaly)
        this.cooldown = { left: this.o.cooldownPoints, deviation: Math.abs(deviation.z) };
      this.score.learn(z);
    }
    return verdict;
  }

  private spreadFloor(level: number): number {
    return Math.max(1e-9, this.o.relativeSpreadFloor * Math.max(Math.abs(level), this.magnitude));
  }

  /** Unit of shape distances: a share of the magnitude, so that they do not depend on units. */
  private contextScale(): number {
    return Math.max(1e-9, 0.01 * this.magnitude);
  }

  private learn(time: number, value: number): void {
    if (this.o.contextWeight > 0) this.context.learn(value, this.contextScale());
    const step = this.lastTime === null ? 0 : Math.max(0, time - this.lastTime);
    if (this.lastTime !== null) this.stepMs += (this.count === 1 ? 1 : SLOW_RATE) * (step - this.stepMs);
    this.lastTime = time;
    this.count++;
    this.magnitude += (this.count === 1 ? 1 : SLOW_RATE) * (Math.abs(value) - this.magnitude);
    if (this.warmingUp) {
      this.warmValues.push(value);
      if (this.warmValues.length >= this.o.warmUpPoints) this.startBaselines(time);
      return;
    }
    const fitWeight = 1 - Math.exp(-Math.min(step, this.stepMs * 10) / FIT_TIME_MS);
    const floor = this.spreadFloor(value);
    const point = { time, value, history: time - (this.startedAt as number), stepMs: step };
    for (const baseline of this.baselines) baseline.learn(point, fitWeight, floor, this.o);
  }

  /** Ends the warm-up: every baseline starts from the median and MAD of the points seen. */
  private startBaselines(time: number): void {
    this.startedAt = time;
    const level = median(this.warmValues);
    const spread = Math.max(MAD_SCALE * medianAbsoluteDeviation(this.warmValues), this.spreadFloor(level));
    this.baselines = [new Baseline(level, spread, null)];
    if (this.o.seasonality) {
      this.baselines.push(
        new Baseline(level, spread, new SeasonalProfile(DAY_MS, this.o.dailySlots, spread)),
      );
      this.baselines.push(
        new Baseline(level, spread, new SeasonalProfile(WEEK_MS, this.o.weeklySlots, spread)),
      );
    }
    this.warmValues = [];
  }

  /** The whole state as versioned plain JSON. */
  snapshot(): SeriesDetectorSnapshot {
    return {
      kind: 'vigie.series-detector',
      version: SERIES_SNAPSHOT_VERSION,
      count: this.count,
      lastTime: this.lastTime,
      startedAt: this.startedAt,
      warmUp: [...this.warmValues],
      magnitude: this.magnitude,
      stepMs: this.stepMs,
      baselines: this.baselines.map((b) => b.toState()),
      score: this.score.toJSON(),
      cooldown: { ...this.cooldown },
      context: this.context.toJSON(),
    };
  }

  /** A detector that continues exactly where the one that took `snapshot` was. */
  static restore(
    snapshot: SeriesDetectorSnapshot,
    options: Partial<SeriesDetectorOptions> = {},
  ): SeriesDetector {
    checkSnapshot(snapshot);
    const detector = new SeriesDetector(options);
    detector.count = snapshot.count;
    detector.lastTime = snapshot.lastTime;
    detector.startedAt = snapshot.startedAt;
    detector.warmValues = [...snapshot.warmUp];
    detector.magnitude = snapshot.magnitude;
    detector.stepMs = snapshot.stepMs;
    detector.baselines = snapshot.baselines.map((b) => Baseline.fromState(b));
    detector.score = new ScoreState(snapshot.score);
    detector.cooldown = { ...snapshot.cooldown };
    // Snapshots from before contextual novelty have none: it starts afresh.
    detector.context = new ContextState(snapshot.context);
    return detector;
  }
}
