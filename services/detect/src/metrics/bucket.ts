import type { LogEvent } from '@vigie/common';
import { isError } from '../model.js';
import { LatencySketch } from './sketch.js';

/** Event ids a bucket keeps as samples, per kind (errors, slowest requests). */
export const SAMPLE_IDS = 5;
/** First slot of the slow samples in a bucket's arrays (after the error ids or status counts). */
const SLOW_SLOT = 5;

/** The id and duration of one of a bucket's slowest requests. */
export interface SlowSample {
  id: string;
  ms: number;
}

/**
 * Counts and a latency sketch for one series over one event-time bucket. Durations go
 * into a sketch (1 % relative accuracy, mergeable across buckets) instead of a list.
 * A series recycles its buckets (`reset`): they live 30-40 s, long enough to be promoted
 * to the old generation, so allocating one (or its sample arrays) per series every 10 s
 * made the heap balloon between major collections. Samples sit in fixed slots for the
 * same reason.
 */
export class Bucket {
  count = 0;
  errors = 0;
  readonly sketch = new LatencySketch();
  /** Durations above `slowAboveMs` (the latency band's upper edge when the bucket opened). */
  slowCount = 0;
  /**
   * Counts by status class (slots 0-4: 1xx … 5xx), then the durations of the slowest
   * requests (slots 5-9). One array of unboxed doubles (a double literal sets its kind)
   * instead of two: a fleet has tens of thousands of buckets alive, and each array costs
   * its object and its store.
   */
  private readonly numbers: number[] = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
  /** Ids of the first errors (slots 0-4), then of the slowest requests (slots 5-9). */
  private readonly ids: string[] = ['', '', '', '', '', '', '', '', '', ''];
  private errorSampleCount = 0;
  /** Slow samples kept; their slots are `SLOW_SLOT … SLOW_SLOT + slowSampleCount - 1`. */
  private slowSampleCount = 0;
  /** Fastest of the kept slow samples once there are five: faster requests skip the scan. */
  private slowFloor = Number.NEGATIVE_INFINITY;

  constructor(
    public start: number,
    public slowAboveMs = Number.POSITIVE_INFINITY,
  ) {
    this.numbers.fill(0, 0, SLOW_SLOT);
  }

  /** Requests per status class: index 0 is 1xx, 4 is 5xx. */
  statusCount(index: number): number {
    return this.numbers[index] as number;
  }

  /** Requests per status class, 1xx … 5xx (a copy). */
  get statusClasses(): [number, number, number, number, number] {
    const n = this.numbers as [number, number, number, number, number];
    return [n[0], n[1], n[2], n[3], n[4]];
  }

  /** Restores the counts per status class of a snapshot. */
  loadStatusClasses(counts: readonly number[]): void {
    for (let i = 0; i < SLOW_SLOT; i++) this.numbers[i] = counts[i] ?? 0;
  }

  /** Empties the bucket for reuse as the bucket starting at `start`. */
  reset(start: number, slowAboveMs: number): void {
    this.start = start;
    this.slowAboveMs = slowAboveMs;
    this.count = 0;
    this.errors = 0;
    this.numbers.fill(0, 0, SLOW_SLOT);
    this.sketch.clear();
    this.slowCount = 0;
    // Drop the ids so the bucket does not keep old strings alive.
    this.ids.fill('');
    this.errorSampleCount = 0;
    this.slowSampleCount = 0;
    this.slowFloor = Number.NEGATIVE_INFINITY;
  }

  add(id: string, event: LogEvent): void {
    this.count++;
    const status = event.http?.response?.status_code;
    if (status !== undefined && status >= 100 && status < 600) {
      const index = Math.floor(status / 100) - 1;
      this.numbers[index] = (this.numbers[index] as number) + 1;
    }
    if (isError(event)) {
      this.errors++;
      if (this.errorSampleCount < SAMPLE_IDS) this.ids[this.errorSampleCount++] = id;
    }
    const durationNs = event.event?.duration;
    if (durationNs !== undefined && durationNs >= 0) {
      const ms = durationNs / 1e6;
      this.sketch.accept(ms);
      if (ms > this.slowAboveMs) this.slowCount++;
      if (ms > this.slowFloor) this.keepSlowest(id, ms);
    }
  }

  /** Ids of the first errors (a copy). */
  get errorSamples(): string[] {
    return this.ids.slice(0, this.errorSampleCount);
  }

  /** The slowest requests (copies), in the order their slots were filled. */
  get slowSamples(): SlowSample[] {
    const samples: SlowSample[] = [];
    for (let i = 0; i < this.slowSampleCount; i++) {
      samples.push({ id: this.ids[SLOW_SLOT + i] as string, ms: this.numbers[SLOW_SLOT + i] as number });
    }
    return samples;
  }

  /** Calls `visit` with each error sample id, first kept first. */
  forEachErrorSample(visit: (id: string) => void): void {
    for (let i = 0; i < this.errorSampleCount; i++) visit(this.ids[i] as string);
  }

  /** Calls `visit` with each slow sample, in slot order. */
  forEachSlowSample(visit: (id: string, ms: number) => void): void {
    for (let i = SLOW_SLOT; i < SLOW_SLOT + this.slowSampleCount; i++)
      visit(this.ids[i] as string, this.numbers[i] as number);
  }

  /** Restores the samples of a snapshot. */
  loadSamples(errorIds: readonly string[], slow: readonly SlowSample[]): void {
    this.errorSampleCount = 0;
    for (const id of errorIds.slice(0, SAMPLE_IDS)) this.ids[this.errorSampleCount++] = id;
    this.slowSampleCount = 0;
    this.slowFloor = Number.NEGATIVE_INFINITY;
    for (const { id, ms } of slow.slice(0, SAMPLE_IDS)) this.keepSlowest(id, ms);
  }

  private keepSlowest(id: string, ms: number): void {
    const { ids, numbers } = this;
    if (this.slowSampleCount < SAMPLE_IDS) {
      ids[SLOW_SLOT + this.slowSampleCount] = id;
      numbers[SLOW_SLOT + this.slowSampleCount] = ms;
      this.slowSampleCount++;
      if (this.slowSampleCount === SAMPLE_IDS) this.slowFloor = numbers[this.fastest()] as number;
      return;
    }
    // Same choice as a list would make: the first of the fastest samples is replaced.
    const fastest = this.fastest();
    if ((numbers[fastest] as number) >= ms) return;
    ids[fastest] = id;
    numbers[fastest] = ms;
    this.slowFloor = numbers[this.fastest()] as number;
  }

  /** Slot of the fastest kept slow sample. */
  private fastest(): number {
    const numbers = this.numbers;
    let fastest = SLOW_SLOT;
    for (let i = SLOW_SLOT + 1; i < SLOW_SLOT + this.slowSampleCount; i++) {
      if ((numbers[i] as number) < (numbers[fastest] as number)) fastest = i;
    }
    return fastest;
  }
}

/** p50/p95/p99 of a sketch. */
export function latencyOf(sketch: LatencySketch): { samples: number; p50: number; p95: number; p99: number } {
  return {
    samples: sketch.count,
    p50: round(sketch.quantile(0.5)),
    p95: round(sketch.quantile(0.95)),
    p99: round(sketch.quantile(0.99)),
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
