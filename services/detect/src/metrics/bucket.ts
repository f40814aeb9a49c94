import type { LogEvent } from '@vigie/common';
import { isError } from '../model.js';
import { LatencySketch } from './sketch.js';

const SAMPLE_IDS = 5;

/** A bucket's numbers as indexed into `vigie-metrics` and read by detectors. */
export interface BucketSummary {
  /** Bucket start, epoch ms. */
  start: number;
  count: number;
  errors: number;
  /** Requests by status class: index 0 = 1xx … 4 = 5xx. */
  statusClasses: [number, number, number, number, number];
  /** Latency in ms from `event.duration`; absent without durations. */
  latency?: { samples: number; p50: number; p95: number; p99: number };
}

/** The id and duration of one of a bucket's slowest requests. */
export interface SlowSample {
  id: string;
  ms: number;
}

/**
 * Counts and a latency sketch for one series over one event-time bucket. Durations go
 * into a sketch (1 % relative accuracy, mergeable across buckets) instead of a list.
 * A series recycles its buckets (`reset`): they live 30-40 s, long enough to be promoted
 * to the old generation, so allocating one per series every 10 s made the heap balloon
 * between major collections.
 */
export class Bucket {
  count = 0;
  errors = 0;
  readonly statusClasses: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  readonly sketch = new LatencySketch();
  readonly errorSamples: string[] = [];
  /** The slowest requests (up to five; objects reused in place, copy before keeping). */
  readonly slowSamples: SlowSample[] = [];
  /** Durations above `slowAboveMs` (the latency band's upper edge when the bucket opened). */
  slowCount = 0;
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
    this.errorSamples.length = 0;
    this.slowSamples.length = 0;
    this.slowCount = 0;
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
      if (this.errorSamples.length < SAMPLE_IDS) this.errorSamples.push(id);
    }
    const durationNs = event.event?.duration;
    if (durationNs !== undefined && durationNs >= 0) {
      const ms = durationNs / 1e6;
      this.sketch.accept(ms);
      if (ms > this.slowAboveMs) this.slowCount++;
      if (ms > this.slowFloor) this.keepSlowest(id, ms);
    }
  }

  summary(): BucketSummary {
    const summary: BucketSummary = {
      start: this.start,
      count: this.count,
      errors: this.errors,
      statusClasses: [...this.statusClasses],
    };
    if (this.sketch.count > 0) summary.latency = latencyOf(this.sketch);
    return summary;
  }

  /** Restores the slowest samples of a snapshot. */
  loadSlowSamples(samples: readonly SlowSample[]): void {
    this.slowSamples.length = 0;
    for (const { id, ms } of samples) this.slowSamples.push({ id, ms });
    this.slowFloor =
      this.slowSamples.length >= SAMPLE_IDS ? fastestOf(this.slowSamples).ms : Number.NEGATIVE_INFINITY;
  }

  private keepSlowest(id: string, ms: number): void {
    const samples = this.slowSamples;
    if (samples.length < SAMPLE_IDS) {
      samples.push({ id, ms });
      if (samples.length === SAMPLE_IDS) this.slowFloor = fastestOf(samples).ms;
      return;
    }
    // Same choice as before recycling: the first of the fastest samples is replaced.
    const fastest = fastestOf(samples);
    fastest.id = id;
    fastest.ms = ms;
    this.slowFloor = fastestOf(samples).ms;
  }
}

function fastestOf(samples: readonly SlowSample[]): SlowSample {
  let fastest = samples[0] as SlowSample;
  for (let i = 1; i < samples.length; i++) {
    const sample = samples[i] as SlowSample;
    if (sample.ms < fastest.ms) fastest = sample;
  }
  return fastest;
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
