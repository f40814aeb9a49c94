import type { LogEvent } from '@vigie/common';
import { BackpressureError } from '../../../src/errors.js';
import type { LineSink, RawLine } from '../../../src/model.js';

/**
 * A `LineSink` that keeps every accepted batch, and can refuse the first calls with a
 * `BackpressureError`, fail, or hold calls until released.
 */
export class CapturingLineSink implements LineSink {
  /** Accepted calls, in the order they were accepted. */
  readonly calls: { source: string; lines: RawLine[] }[] = [];
  /** Calls refused so far. */
  refused = 0;
  /** Every call, accepted or not. */
  attempts = 0;
  /** While true, every call is refused with a BackpressureError. */
  refusing = false;
  private held: Promise<void> | undefined;
  private release: (() => void) | undefined;

  constructor(
    private readonly behaviour: {
      /** Refuse this many calls first, with a BackpressureError. */
      refuseFirst?: number;
      /** Throw this (non-retriable) error instead of accepting. */
      failWith?: Error;
    } = {},
  ) {}

  /** Every accepted line, in order. */
  get lines(): RawLine[] {
    return this.calls.flatMap((call) => call.lines);
  }

  /** Texts of the accepted lines. */
  get texts(): string[] {
    return this.lines.map((line) => line.text);
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

  async submitLines(source: string, lines: RawLine[]): Promise<void> {
    this.attempts++;
    if (this.held !== undefined) await this.held;
    if (this.behaviour.failWith) throw this.behaviour.failWith;
    if (this.refusing || this.refused < (this.behaviour.refuseFirst ?? 0)) {
      this.refused++;
      throw new BackpressureError('test sink refuses', 0);
    }
    this.calls.push({ source, lines: [...lines] });
  }

  async submitEvents(_source: string, _events: LogEvent[]): Promise<void> {
    throw new Error('not expected from line sources');
  }
}

export { metricValue } from '@vigie/testkit';

/** Polls until `probe()` is true, or fails after `timeoutMs`. */
export async function until(
  what: string,
  probe: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
