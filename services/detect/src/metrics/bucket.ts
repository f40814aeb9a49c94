import type { LogEvent } from '@vigie/common';
import { isError } from '../model.js';
import { LatencySketch } from './sketch.js';

/** Event ids a bucket keeps as samples, per kind (errors, slowest requests). */
export const SAMPLE_IDS = 5;

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
  readonly statusClasses: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  readonly sketch = new LatencySketch();
  /** Durations above `slowAboveMs` (the latency band's upper edge when the bucket opened). */
  slowCount = 0;
  /** Ids of the first errors: slots 0 … `errorSampleCount` - 1 (created on the first error). */
  private errorIds: string[] | undefined;
  private errorSampleCount = 0;
  /** Ids and durations of the slowest requests, in arrival order of their slots. */
  private readonly slowIds: string[] = ['', '', '', '', ''];
  // A plain array of unboxed doubles (a double literal sets its kind): a typed array this
  // small costs three objects. Slots past `slowSampleCount` are unused.
  private readonly slowMs: number[] = [0.5, 0.5, 0.5, 0.5, 0.5];
  private slowSampleCount = 0;
  /** Fastest of the kept slow samples once there are five: faster requests skip the scan. */
  private slowFloor = Number.NEGATIVE_INFINITY;

  constructor(
    public start: number,
    public slowAboveMs = Number.POSITIVE_INFINITY,
  ) {}

  /** Empties the bucket for reuse as the bucket starting at `start`. */
  reset(start: number, slowAboveMs: number): void {
    this.start = start;
    this.slowAboveMs = slowAboveMs;
    this.count = 0;
    this.errors = 0;
    this.statusClasses.fill(0);
    this.sketch.clear();
    this.slowCount = 0;
    // Drop the ids so the bucket does not keep old strings alive.
    this.errorIds?.fill('');
    this.slowIds.fill('');
    this.errorSampleCount = 0;
    this.slowSampleCount = 0;
    this.slowFloor = Number.NEGATIVE_INFINITY;
  }

  add(id: string, event: LogEvent): void {
    this.count++;
    const status = event.http?.response?.status_code;
    if (status !== undefined && status >= 100 && status < 600) {
      const index = Math.floor(status / 100) - 1;
      this.statusClasses[index as 0 | 1 | 2 | 3 | 4]++;
    }
    if (isError(event)) {
      this.errors++;
      if (this.errorSampleCount < SAMPLE_IDS) {
        this.errorIds ??= ['', '', '', '', ''];
        this.errorIds[this.errorSampleCount++] = id;
      }
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
    return this.errorIds?.slice(0, this.errorSampleCount) ?? [];
  }

  /** The slowest requests (copies), in the order their slots were filled. */
  get slowSamples(): SlowSample[] {
    const samples: SlowSample[] = [];
    for (let i = 0; i < this.slowSampleCount; i++) {
      samples.push({ id: this.slowIds[i] as string, ms: this.slowMs[i] as number });
    }
    return samples;
  }

  /** Calls `visit` with each error sample id, first kept first. */
  forEachErrorSample(visit: (id: string) => void): void {
    const ids = this.errorIds;
    if (ids) for (let i = 0; i < this.errorSampleCount; i++) visit(ids[i] as string);
  }

  /** Calls `visit` with each slow sample, in slot order. */
  forEachSlowSample(visit: (id: string, ms: number) => void): void {
    for (let i = 0; i < this.slowSampleCount; i++) visit(this.slowIds[i] as string, this.slowMs[i] as number);
  }

  /** Restores the samples of a snapshot. */
  loadSamples(errorIds: readonly string[], slow: readonly SlowSample[]): void {
    this.errorSampleCount = 0;
    for (const id of errorIds.slice(0, SAMPLE_IDS)) {
      this.errorIds ??= ['', '', '', '', ''];
      this.errorIds[this.errorSampleCount++] = id;
    }
    this.slowSampleCount = 0;
    this.slowFloor = Number.NEGATIVE_INFINITY;
    for (const { id, ms } of slow.slice(0, SAMPLE_IDS)) this.keepSlowest(id, ms);
  }

  private keepSlowest(id: string, ms: number): void {
    if (this.slowSampleCount < SAMPLE_IDS) {
      this.slowIds[this.slowSampleCount] = id;
      this.slowMs[this.slowSampleCount] = ms;
      this.slowSampleCount++;
      if (this.slowSampleCount === SAMPLE_IDS) this.slowFloor = this.slowMs[this.fastest()] as number;
      return;
    }
    // Same choice as a list would make: the first of the fastest samples is replaced.
    const fastest = this.fastest();
    if ((this.slowMs[fastest] as number) >= ms) return;
    this.slowIds[fastest] = id;
    this.slowMs[fastest] = ms;
    this.slowFloor = this.slowMs[this.fastest()] as number;
  }

  private fastest(): number {
    let fastest = 0;
    for (let i = 1; i < this.slowSampleCount; i++) {
      if ((this.slowMs[i] as number) < (this.slowMs[fastest] as number)) fastest = i;
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
