import type { BaselineState } from './baseline.js';
import type { ContextStateJson } from './context.js';
import type { ScoreStateJson } from './score.js';

/** Version of {@link SeriesDetectorSnapshot}; bumped on any change of its meaning. */
export const SERIES_SNAPSHOT_VERSION = 1;

/**
 * The whole state of a {@link SeriesDetector} as plain JSON (no typed arrays, no NaN), so
 * a processor can store it anywhere and resume after a restart where it left off.
 * Options are not part of it: they are given again at restore.
 */
export interface SeriesDetectorSnapshot {
  kind: 'vigie.series-detector';
  version: typeof SERIES_SNAPSHOT_VERSION;
  /** Points learned so far. */
  count: number;
  /** Time of the last point learned (epoch ms), or null before the first. */
  lastTime: number | null;
  /** When the baselines started, at the end of the warm-up (epoch ms), or null before. */
  startedAt: number | null;
  /** Points kept while warming up (empty afterwards). */
  warmUp: number[];
  /** Typical magnitude of the values (for the spread floor). */
  magnitude: number;
  /** Running mean of the interval between points, in ms. */
  stepMs: number;
  /** Plain, daily and weekly baselines (only the plain one without seasonality). */
  baselines: BaselineState[];
  score: ScoreStateJson;
  /** Points left in the cooldown after an alarm, and the deviation that raised it. */
  cooldown: { left: number; deviation: number };
  /** Recent points and novelty statistics of the contextual score (absent in older snapshots). */
  context?: ContextStateJson;
}

/** Checks the shape and version of a snapshot read back from storage. */
export function checkSnapshot(snapshot: SeriesDetectorSnapshot): void {
  if (snapshot?.kind !== 'vigie.series-detector') throw new Error('not a series detector snapshot');
  if (snapshot.version !== SERIES_SNAPSHOT_VERSION)
    throw new Error(
      `series detector snapshot version ${String(snapshot.version)} is not supported (expected ${SERIES_SNAPSHOT_VERSION})`,
    );
  if (!Array.isArray(snapshot.baselines) || !Array.isArray(snapshot.warmUp))
    throw new Error('series detector snapshot is incomplete');
}
