// The time grid a rule is evaluated on and the runs of points where its condition holds.
// Pure: no search, no clock; the evaluator feeds it counts.

import type { EventHistogram } from '@vigie/common';

/** At most this many grid steps per count window: a 24 h window is stepped by 4 minutes, not 10 s. */
export const MAX_STEPS_PER_WINDOW = 360;

/** One evaluated point of a rule: the count of the window that ends at `time`, judged. */
export interface RulePoint {
  /** Window end, epoch ms (exclusive). */
  time: number;
  count: number;
  holds: boolean;
  /** What the condition expected: the threshold, or the baseline's value. */
  expected: number;
  lower: number;
  upper: number;
  /** 1 for a threshold that holds, the baseline's score for `anomalous`, 0 otherwise. */
  score: number;
}

/** Consecutive points where the condition held, from `first` to `last`. */
export interface Run {
  first: RulePoint;
  last: RulePoint;
  sampleEventIds: string[];
}

/** What happened to the run over a stretch of points. */
export type RunTransition = { type: 'open'; run: Run } | { type: 'close'; run: Run; end: RulePoint };

/**
 * The grid step of a threshold rule: `stepMs`, or a multiple of it so that one window is
 * at most {@link MAX_STEPS_PER_WINDOW} steps.
 */
export function stepOf(windowMs: number, stepMs: number): number {
  return stepMs * Math.max(1, Math.ceil(windowMs / (stepMs * MAX_STEPS_PER_WINDOW)));
}

/** The last grid point at or before `time`: grids start at the epoch, so restarts land on the same points. */
export function gridFloor(time: number, step: number): number {
  return Math.floor(time / step) * step;
}

/**
 * Counts of the sliding windows `[t - spanMs, t)` for every grid point `t` from `first` to
 * `last` (step `step`), from a histogram of interval `step` that starts at `first - spanMs`.
 * `spanMs` is a multiple of `step`.
 */
export function slidingCounts(
  histogram: EventHistogram,
  first: number,
  last: number,
  step: number,
  spanMs: number,
): Array<{ time: number; count: number }> {
  const byStart = new Map(histogram.buckets.map((b) => [b.start, b.count]));
  const out: Array<{ time: number; count: number }> = [];
  let sum = 0;
  for (let start = first - spanMs; start < first; start += step) sum += byStart.get(start) ?? 0;
  for (let time = first; time <= last; time += step) {
    out.push({ time, count: sum });
    sum += (byStart.get(time) ?? 0) - (byStart.get(time - spanMs) ?? 0);
  }
  return out;
}

/**
 * Folds judged points into the open run, in time order: a point that holds opens a run
 * (or extends it), one that does not closes it. Returns the run after the last point and
 * the transitions on the way; an `open` transition and the returned run are the same
 * object when the run is still going (`open` itself is left as it was).
 */
export function trackRuns(
  open: Run | undefined,
  points: readonly RulePoint[],
): { run: Run | undefined; transitions: RunTransition[] } {
  let run = open && { ...open };
  const transitions: RunTransition[] = [];
  for (const point of points) {
    if (point.holds) {
      if (run) run.last = point;
      else {
        run = { first: point, last: point, sampleEventIds: [] };
        transitions.push({ type: 'open', run });
      }
    } else if (run) {
      transitions.push({ type: 'close', run, end: point });
      run = undefined;
    }
  }
  return { run, transitions };
}
