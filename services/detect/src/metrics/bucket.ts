import { DDSketch } from '@datadog/sketches-js';
import type { LogEvent } from '@vigie/common';
import { isError } from '../model.js';

const SKETCH_ACCURACY = 0.01;
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

/**
 * Counts and a latency sketch for one series over one event-time bucket. Durations go
 * into a DDSketch (1 % relative accuracy, mergeable across buckets) instead of a list.
 */
export class Bucket {
  count = 0;
  errors = 0;
  readonly statusClasses: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  sketch: DDSketch | undefined;
  readonly errorSamples: string[] = [];
  readonly slowSamples: { id: string; ms: number }[] = [];
  /** Durations above `slowAboveMs` (the latency band's upper edge when the bucket opened). */
  slowCount = 0;

  constructor(
    readonly start: number,
    readonly slowAboveMs = Number.POSITIVE_INFINITY,
  ) {}

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
      this.sketch ??= new DDSketch({ relativeAccuracy: SKETCH_ACCURACY });
      this.sketch.accept(ms);
      if (ms > this.slowAboveMs) this.slowCount++;
      this.keepSlowest(id, ms);
    }
  }

  summary(): BucketSummary {
    const summary: BucketSummary = {
      start: this.start,
      count: this.count,
      errors: this.errors,
      statusClasses: [...this.statusClasses],
    };
    if (this.sketch && this.sketch.count > 0) summary.latency = latencyOf(this.sketch);
    return summary;
  }

  private keepSlowest(id: string, ms: number): void {
    const samples = this.slowSamples;
    if (samples.length < SAMPLE_IDS) {
      samples.push({ id, ms });
      return;
    }
    let fastest = 0;
    for (let i = 1; i < samples.length; i++)
      if ((samples[i]?.ms ?? 0) < (samples[fastest]?.ms ?? 0)) fastest = i;
    if ((samples[fastest]?.ms ?? 0) < ms) samples[fastest] = { id, ms };
  }
}

/** p50/p95/p99 of a sketch. */
export function latencyOf(sketch: DDSketch): { samples: number; p50: number; p95: number; p99: number } {
  return {
    samples: sketch.count,
    p50: round(sketch.getValueAtQuantile(0.5)),
    p95: round(sketch.getValueAtQuantile(0.95)),
    p99: round(sketch.getValueAtQuantile(0.99)),
  };
}

/** Merges the sketches of several buckets (for a window wider than one bucket). */
export function mergeSketches(buckets: readonly Bucket[]): DDSketch | undefined {
  let merged: DDSketch | undefined;
  for (const bucket of buckets) {
    if (!bucket.sketch) continue;
    merged ??= new DDSketch({ relativeAccuracy: SKETCH_ACCURACY });
    merged.merge(bucket.sketch);
  }
  return merged;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
