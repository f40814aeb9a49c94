import type { LogEvent } from '@vigie/common';
import type { LineProblem, RawLine } from '../model.js';
import type { EventContext } from '../sources/http/event.js';

/** One NDJSON line of an HTTP request, with the request's context at its sequence. */
export interface EventLine {
  text: string;
  context: EventContext;
}

/** A line the workers could not turn into an event: it goes to the dead-letter path. */
export class StuckLine<Line = RawLine> {
  constructor(
    readonly line: Line,
    /** `over_budget` when its parse overran the time budget, `crash` when it killed the worker. */
    readonly cause: 'over_budget' | 'crash',
    /** Why, for `vigie.parse_error`. */
    readonly reason: string,
  ) {}
}

/** What `ParsePool.parse` gives back for each line, in line order. */
export type ParseOutcome = LogEvent | StuckLine;

/**
 * The events a worker made of consecutive lines, redacted, fitted and serialised. Its
 * buffers were moved, not copied, from the worker.
 */
export interface SerializedRun {
  /** The UTF-8 JSON of each event, one after the other. */
  bytes: Uint8Array;
  /** Where each event ends in `bytes`. */
  ends: Int32Array;
  /** `service.name` of each event. */
  keys: string[];
  /** Lines of the run kept as text: index in the run and `vigie.parse_error` before redaction. */
  problems: LineProblem[];
}

/** What `ParsePool.parseEventLines` gives back, in line order: runs of events and stuck lines. */
export type EventLinesOutcome = SerializedRun | StuckLine<EventLine>;

/** The events of a run, parsed back. */
export function decodeRun(run: SerializedRun): LogEvent[] {
  const bytes = Buffer.from(run.bytes.buffer, run.bytes.byteOffset, run.bytes.byteLength);
  const events: LogEvent[] = [];
  let start = 0;
  for (const end of run.ends) {
    events.push(JSON.parse(bytes.toString('utf8', start, end)) as LogEvent);
    start = end;
  }
  return events;
}
