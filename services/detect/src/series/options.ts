import { ConfigError } from '@vigie/common';

/**
 * Settings of a {@link SeriesDetector}. The defaults serve the live processor (10 s buckets
 * of latency and volume), `vigie detect-series` and the NAB benchmark alike: nothing in
 * them is tuned per series.
 */
export interface SeriesDetectorOptions {
  /** Score from which a point is an anomaly (when the series is not warming up). Default 0.5. */
  threshold: number;
  /**
   * Points to see before any verdict can be an anomaly. The baseline starts from the
   * median and MAD of these points. Default 100.
   */
  warmUpPoints: number;
  /**
   * Points after an anomaly during which further scores are damped, so that one incident
   * raises one alarm, unless it grows much worse. Default 120.
   */
  cooldownPoints: number;
  /**
   * Factor applied to scores during the cooldown. Default 0.7: an alarm damps what follows,
   * yet a clear anomaly soon after a lesser alarm still scores above the threshold (on NAB,
   * 0.5 loses such anomalies and 0.9 lets one incident alarm again and again).
   */
  cooldownDamping: number;
  /**
   * During a cooldown, a deviation this many times the one that raised the alarm is a new
   * alarm rather than more of the same. Default 2.
   */
  escalation: number;
  /**
   * Surprise that scores 0.5. A point's deviation is measured in robust standard
   * deviations of the baseline's errors; its surprise is how far log(1 + deviation) lies
   * above its long-run mean for this series, 4 being as far as the largest deviation
   * remembered lately (see score.ts). The score is q/(1+q) with
   * q = (surprise / halfScoreSurprise)². Default 4: a point scores 0.5 when it deviates
   * as much as the series' recent record.
   */
  halfScoreSurprise: number;
  /** Learn and use daily and weekly profiles when they predict the series better. Default true. */
  seasonality: boolean;
  /** Slots of the daily profile (48 = 30 minutes). Default 48. */
  dailySlots: number;
  /** Slots of the weekly profile (168 = one hour). Default 168. */
  weeklySlots: number;
  /**
   * Share of a seasonal slot's error learned each time the series passes through it
   * (once a day or once a week). Default 0.25.
   */
  seasonalRate: number;
  /** Smoothing of the level, per point (0..1). Default 0.15. */
  levelRate: number;
  /** Smoothing of the trend, per point (0..1); 0 disables the trend. Default 0.002. */
  trendRate: number;
  /** Damping of the trend per point, so that it never extrapolates far. Default 0.98. */
  trendDamping: number;
  /** Smoothing of the spread (mean absolute error), per point. Default 0.02. */
  spreadRate: number;
  /**
   * Errors beyond this many spreads are clipped before they are learned (Huber), so an
   * anomaly barely moves the baseline. Default 3.
   */
  clipSpreads: number;
  /**
   * Consecutive clipped errors on the same side after which the level jumps to the new
   * values (a level shift is then the new normal). Default 20.
   */
  levelShiftPoints: number;
  /**
   * A seasonal profile replaces the plain level only when its mean absolute error is below
   * this share of the plain level's, after two full periods of history. Default 0.85.
   */
  seasonalGain: number;
  /**
   * Relative floor on the spread, as a share of the typical magnitude of the series, so
   * that a flat series does not alarm on rounding noise. Default 0.001.
   */
  relativeSpreadFloor: number;
  /**
   * Weight of contextual novelty (context.ts: how far the shape of the last 5 points lies
   * from every shape of the last 300) against the deviation from the baseline: the score
   * follows whichever is more surprising once novelty is multiplied by this. 0 turns
   * novelty off, with its cost (a pass over 300 points per update) and its history in the
   * snapshot. Default 1.3, chosen on NAB as a whole, never per file; the live processor
   * uses it too.
   */
  contextWeight: number;
}

/** The defaults, see each field of {@link SeriesDetectorOptions}. */
export const DEFAULT_SERIES_OPTIONS: Readonly<SeriesDetectorOptions> = Object.freeze({
  threshold: 0.5,
  warmUpPoints: 100,
  cooldownPoints: 120,
  cooldownDamping: 0.7,
  escalation: 2,
  halfScoreSurprise: 4,
  seasonality: true,
  dailySlots: 48,
  weeklySlots: 168,
  seasonalRate: 0.25,
  levelRate: 0.15,
  trendRate: 0.002,
  trendDamping: 0.98,
  spreadRate: 0.02,
  clipSpreads: 3,
  levelShiftPoints: 20,
  seasonalGain: 0.85,
  relativeSpreadFloor: 0.001,
  contextWeight: 1.3,
});

const RATES = ['levelRate', 'trendRate', 'trendDamping', 'spreadRate', 'seasonalRate'] as const;

/** Defaults filled in and every field checked; all problems are reported in one error. */
export function resolveSeriesOptions(options: Partial<SeriesDetectorOptions> = {}): SeriesDetectorOptions {
  const resolved: SeriesDetectorOptions = { ...DEFAULT_SERIES_OPTIONS, ...options };
  const problems: string[] = [];
  for (const key of Object.keys(options)) {
    if (!(key in DEFAULT_SERIES_OPTIONS)) problems.push(`unknown option ${key}`);
  }
  if (!(resolved.threshold > 0 && resolved.threshold < 1)) problems.push('threshold must be in (0,1)');
  if (!(Number.isInteger(resolved.warmUpPoints) && resolved.warmUpPoints >= 10))
    problems.push('warmUpPoints must be an integer >= 10');
  if (!(Number.isInteger(resolved.cooldownPoints) && resolved.cooldownPoints >= 0))
    problems.push('cooldownPoints must be an integer >= 0');
  if (!(resolved.cooldownDamping >= 0 && resolved.cooldownDamping <= 1))
    problems.push('cooldownDamping must be in [0,1]');
  for (const key of RATES) {
    if (!(resolved[key] >= 0 && resolved[key] <= 1)) problems.push(`${key} must be in [0,1]`);
  }
  for (const key of ['dailySlots', 'weeklySlots'] as const) {
    if (!(Number.isInteger(resolved[key]) && resolved[key] >= 4 && resolved[key] <= 400))
      problems.push(`${key} must be an integer in [4,400]`);
  }
  if (!(resolved.escalation >= 1)) problems.push('escalation must be >= 1');
  if (!(resolved.halfScoreSurprise > 0)) problems.push('halfScoreSurprise must be > 0');
  if (!(resolved.clipSpreads > 0)) problems.push('clipSpreads must be > 0');
  if (!(Number.isInteger(resolved.levelShiftPoints) && resolved.levelShiftPoints >= 1))
    problems.push('levelShiftPoints must be an integer >= 1');
  if (!(resolved.seasonalGain > 0 && resolved.seasonalGain <= 1))
    problems.push('seasonalGain must be in (0,1]');
  if (!(resolved.contextWeight >= 0)) problems.push('contextWeight must be >= 0');
  if (!(resolved.relativeSpreadFloor >= 0)) problems.push('relativeSpreadFloor must be >= 0');
  if (problems.length > 0) throw new ConfigError(`Invalid series detector options: ${problems.join('; ')}`);
  return resolved;
}
