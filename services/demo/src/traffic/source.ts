import type { LogEvent } from '@vigie/common';
import type { Clock } from './clock.js';

// Arrivals are packed as `offset * SLOTS + source` so one numeric sort orders a second's
// events by time, ties broken by source: deterministic and allocation-free.
const SLOTS = 1024;

/** The arrival times of every source within one second. */
export class Arrivals {
  private buffer = new Float64Array(4096);
  /** How many arrivals were pushed since `clear`. */
  length = 0;

  /** Records that source `source` has an event `offset` ms (0..999) into the second. */
  push(offset: number, source: number): void {
    if (this.length === this.buffer.length) {
      const bigger = new Float64Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    this.buffer[this.length++] = offset * SLOTS + source;
  }

  /** Sorts the pushed arrivals by time, then source, and returns them packed. */
  sorted(): Float64Array {
    return this.buffer.subarray(0, this.length).sort();
  }

  /** Forgets the arrivals, keeping the buffer. */
  clear(): void {
    this.length = 0;
  }
}

/** Most sources in one scenario (services plus event-producing incidents); also the packing base. */
export const MAX_SOURCES = SLOTS;

/**
 * Something that writes events: a service's normal traffic, or an incident that adds
 * its own (a scanner, a brute-force bot). Called second by second, in time order.
 */
export interface Source {
  /** Pushes the arrivals of the second starting at `second` (epoch ms) under index `source`. */
  arrivals(second: number, out: Arrivals, source: number): void;
  /** Builds the event arriving at `clock.time`, or none when an incident swallows it. */
  build(clock: Clock): LogEvent | undefined;
}
