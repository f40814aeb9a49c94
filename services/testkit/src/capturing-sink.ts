import { type LogEvent, VigieError } from '@vigie/common';

/** The least a captured line has: its text (the collector's `RawLine` has more). */
export interface TextLine {
  text: string;
}

/** How a `CapturingSink` behaves besides keeping what it accepts. */
export interface CapturingSinkOptions {
  /** Refuse this many calls first, as `refuse()` does. */
  refuseFirst?: number;
  /** Reject every call with this error instead of accepting (a failing sink). */
  failWith?: Error;
}

/**
 * The refusal of a full pipeline: retriable, so a source pauses and offers the same
 * lines again. The collector's `BackpressureError` is one; sources that need that very
 * class (the HTTP source maps it to 503) are given one through `refuse(error)`.
 */
function pushBack(): VigieError {
  return new VigieError('VIGIE_ERR_BACKPRESSURE', 'test sink refuses', { retriable: true, httpStatus: 503 });
}

/**
 * A test double of the collector's `LineSink` (written structurally: the testkit does
 * not depend on the collector). Keeps every accepted call in order; can push back
 * (`refuse()`, `refuseFirst`), fail (`failWith`) or hold calls until released, so
 * tests can check that sources wait, retry the same lines and never drop any. `Line` is
 * the collector's `RawLine` where a test looks past the text.
 */
export class CapturingSink<Line extends TextLine = TextLine> {
  /** Accepted `submitLines` calls, in the order they were accepted. */
  readonly lineCalls: { source: string; lines: Line[] }[] = [];
  /** Accepted `submitEvents` calls, in the order they were accepted. */
  readonly eventCalls: { source: string; events: LogEvent[] }[] = [];
  /** Every call, accepted or not. */
  attempts = 0;
  /** Calls refused so far (not those failed by `failWith`). */
  refused = 0;
  private refusal: Error | undefined;
  private held: Promise<void> | undefined;
  private release: (() => void) | undefined;

  constructor(private readonly options: CapturingSinkOptions = {}) {}

  /** Every accepted line, in order. */
  get lines(): Line[] {
    return this.lineCalls.flatMap((call) => call.lines);
  }

  /** Texts of the accepted lines. */
  get texts(): string[] {
    return this.lines.map((line) => line.text);
  }

  /** Every accepted event, in order. */
  get events(): LogEvent[] {
    return this.eventCalls.flatMap((call) => call.events);
  }

  /** Refuses every call from now on with `error` (by default a retriable push-back). */
  refuse(error: Error = pushBack()): void {
    this.refusal = error;
  }

  /** Accepts calls again after `refuse()`. */
  accept(): void {
    this.refusal = undefined;
  }

  /** Makes calls wait until `releaseCalls()`. */
  holdCalls(): void {
    this.held = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  /** Lets held calls go on. */
  releaseCalls(): void {
    this.release?.();
    this.held = undefined;
  }

  async submitLines(source: string, lines: Line[]): Promise<void> {
    await this.admit();
    this.lineCalls.push({ source, lines: [...lines] });
  }

  async submitEvents(source: string, events: LogEvent[]): Promise<void> {
    await this.admit();
    this.eventCalls.push({ source, events: [...events] });
  }

  /** Throws when this call is not to be accepted. */
  private async admit(): Promise<void> {
    this.attempts++;
    if (this.held !== undefined) await this.held;
    if (this.options.failWith) throw this.options.failWith;
    if (this.refusal || this.refused < (this.options.refuseFirst ?? 0)) {
      this.refused++;
      throw this.refusal ?? pushBack();
    }
  }
}
