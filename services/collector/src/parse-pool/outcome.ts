import type { LogEvent } from '@vigie/common';
import type { RawLine } from '../model.js';

/** A line the workers could not turn into an event: it goes to the dead-letter path. */
export class StuckLine {
  constructor(
    readonly line: RawLine,
    /** `over_budget` when its parse overran the time budget, `crash` when it killed the worker. */
    readonly cause: 'over_budget' | 'crash',
    /** Why, for `vigie.parse_error`. */
    readonly reason: string,
  ) {}
}

/** What `ParsePool.parse` gives back for each line, in line order. */
export type ParseOutcome = LogEvent | StuckLine;
