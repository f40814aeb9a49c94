import { type ErrorBaselineState, ErrorSpikeDetector } from '../detectors/error-spike.js';
import { LatencyDetector } from '../detectors/latency.js';
import { VolumeDetector } from '../detectors/volume.js';
import type { DetectionOptions } from '../options.js';
import { SeriesDetector, type SeriesDetectorSnapshot } from '../series/index.js';
import { Bucket } from './bucket.js';

/**
 * The series detector as the live pipeline runs it: the same defaults as `vigie
 * detect-series`, except that the anomaly tracker's hysteresis, not the detector's
 * cooldown, makes one incident one anomaly (a damped score would close it early).
 */
export const LIVE_SERIES_OPTIONS = { cooldownPoints: 0 };

/** What a series splits its service by; the service as a whole when absent. */
export interface SeriesKey {
  service: string;
  field?: 'url.path' | 'host.name';
  value?: string;
}

/** A closed bucket as kept in snapshots (the sketch as base64 protobuf). */
export interface BucketState {
  start: number;
  count: number;
  errors: number;
  statusClasses: [number, number, number, number, number];
  slowAboveMs: number | null;
  slowCount: number;
  errorSamples: string[];
  slowSamples: { id: string; ms: number }[];
  sketch?: string;
}

/** A series as kept in snapshots. */
export interface SeriesStateSnapshot {
  key: SeriesKey;
  lastSeen: number;
  open: BucketState[];
  recent: BucketState[];
  errors: ErrorBaselineState;
  latency?: SeriesDetectorSnapshot;
  volume?: SeriesDetectorSnapshot;
}

/**
 * One series (a service, or one route or host of it): its open buckets, the last closed
 * ones (the detectors' window) and the baselines of its detectors.
 */
export class SeriesState {
  /** Open buckets (one or two: the watermark lags by less than a bucket), oldest first. */
  private readonly open: Bucket[] = [];
  /** The bucket used last: most events go to the same one as the event before. */
  private lastBucket: Bucket | undefined;
  readonly recent: Bucket[] = [];
  /** Buckets that left the window, reused for the next ones (see `Bucket`). */
  private readonly spare: Bucket[] = [];
  readonly errorBaseline: ErrorBaselineState;
  readonly errorSpike: ErrorSpikeDetector;
  readonly latency: LatencyDetector;
  readonly volume: VolumeDetector | undefined;
  private readonly latencyBaseline: SeriesDetector;
  private readonly volumeBaseline: SeriesDetector | undefined;

  constructor(
    readonly key: SeriesKey,
    public lastSeen: number,
    options: DetectionOptions,
    snapshot?: SeriesStateSnapshot,
  ) {
    this.errorBaseline = snapshot ? { ...snapshot.errors } : ErrorSpikeDetector.fresh();
    this.errorSpike = new ErrorSpikeDetector(this.errorBaseline, options.errorSpike);
    this.latencyBaseline = snapshot?.latency
      ? SeriesDetector.restore(snapshot.latency, LIVE_SERIES_OPTIONS)
      : new SeriesDetector(LIVE_SERIES_OPTIONS);
    this.latency = new LatencyDetector(this.latencyBaseline, options.latency);
    if (key.field === undefined) {
      this.volumeBaseline = snapshot?.volume
        ? SeriesDetector.restore(snapshot.volume, LIVE_SERIES_OPTIONS)
        : new SeriesDetector(LIVE_SERIES_OPTIONS);
      this.volume = new VolumeDetector(this.volumeBaseline, options.volume);
    }
    for (const state of snapshot?.open ?? []) this.open.push(restoreBucket(state));
    for (const state of snapshot?.recent ?? []) this.recent.push(restoreBucket(state));
  }

  /** The open bucket starting at `start`, created on first use. */
  bucket(start: number): Bucket {
    const last = this.lastBucket;
    if (last !== undefined && last.start === start) return last;
    // An array, not a Map keyed by start: no boxed key and no hash table per bucket.
    let bucket = this.open.find((b) => b.start === start);
    if (!bucket) {
      bucket = this.fresh(start);
      this.open.push(bucket);
    }
    this.lastBucket = bucket;
    return bucket;
  }

  /** Open buckets (an expired series must have none). */
  get openCount(): number {
    return this.open.length;
  }

  /** Moves the bucket at `start` (empty if nothing arrived) into the window. */
  close(start: number, windowBuckets: number): Bucket {
    const open = this.open;
    const index = open.findIndex((b) => b.start === start);
    let bucket: Bucket;
    if (index === -1) bucket = this.fresh(start);
    else {
      bucket = open[index] as Bucket;
      for (let i = index; i < open.length - 1; i++) open[i] = open[i + 1] as Bucket;
      open.pop();
    }
    if (this.lastBucket === bucket) this.lastBucket = undefined;
    this.recent.push(bucket);
    while (this.recent.length > windowBuckets) this.spare.push(this.recent.shift() as Bucket);
    return bucket;
  }

  /** An empty bucket starting at `start`: a spare one when there is one. */
  private fresh(start: number): Bucket {
    const spare = this.spare.pop();
    if (!spare) return new Bucket(start, this.latency.slowAboveMs);
    spare.reset(start, this.latency.slowAboveMs);
    return spare;
  }

  snapshot(): SeriesStateSnapshot {
    const snapshot: SeriesStateSnapshot = {
      key: this.key,
      lastSeen: this.lastSeen,
      open: this.open.map(bucketState),
      recent: this.recent.map(bucketState),
      errors: { ...this.errorBaseline },
      latency: this.latencyBaseline.snapshot(),
    };
    if (this.volumeBaseline) snapshot.volume = this.volumeBaseline.snapshot();
    return snapshot;
  }
}

function bucketState(bucket: Bucket): BucketState {
  const state: BucketState = {
    start: bucket.start,
    count: bucket.count,
    errors: bucket.errors,
    statusClasses: bucket.statusClasses,
    slowAboveMs: Number.isFinite(bucket.slowAboveMs) ? bucket.slowAboveMs : null,
    slowCount: bucket.slowCount,
    errorSamples: bucket.errorSamples,
    slowSamples: bucket.slowSamples,
  };
  if (bucket.sketch.count > 0) state.sketch = Buffer.from(bucket.sketch.toProto()).toString('base64');
  return state;
}

function restoreBucket(state: BucketState): Bucket {
  const bucket = new Bucket(state.start, state.slowAboveMs ?? Number.POSITIVE_INFINITY);
  bucket.count = state.count;
  bucket.errors = state.errors;
  bucket.loadStatusClasses(state.statusClasses);
  bucket.slowCount = state.slowCount;
  bucket.loadSamples(state.errorSamples, state.slowSamples);
  if (state.sketch) bucket.sketch.loadProto(Buffer.from(state.sketch, 'base64'));
  return bucket;
}
