import type { Contributor } from '../model.js';

/**
 * What one detector concluded about one series for the window that just closed. The
 * tracker turns a run of verdicts into one anomaly that opens, updates and closes.
 */
export interface Verdict {
  /** 0..1; the tracker opens at `openScore` and closes below `closeScore`. */
  score: number;
  /** Detector-specific conditions besides the score (minimum counts, sustain). */
  anomalous: boolean;
  observed: number;
  expected: number;
  lower: number;
  upper: number;
  unit: string;
  windowMs: number;
  /** Sentence fragment describing the observation, without the service name. */
  describe: string;
  sampleEventIds: string[];
  contributors?: Contributor[];
}

/** A verdict for a series that cannot be judged yet (warming up, too few samples). */
export function quietVerdict(unit: string, windowMs: number): Verdict {
  return {
    score: 0,
    anomalous: false,
    observed: 0,
    expected: 0,
    lower: 0,
    upper: 0,
    unit,
    windowMs,
    describe: '',
    sampleEventIds: [],
  };
}
