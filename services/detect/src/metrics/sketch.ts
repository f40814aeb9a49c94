import { DDSketch } from '@datadog/sketches-js';

/** Relative accuracy of latency quantiles (DDSketch's guarantee). */
export const SKETCH_ACCURACY = 0.01;

// The key mapping of DDSketch's LogarithmicMapping at SKETCH_ACCURACY, computed the same
// way, so keys, quantiles and the protobuf form are those of a DDSketch.
const GAMMA_MANTISSA = (2 * SKETCH_ACCURACY) / (1 - SKETCH_ACCURACY);
const GAMMA = 1 + GAMMA_MANTISSA;
const MULTIPLIER = (1 / Math.log1p(GAMMA_MANTISSA)) * Math.log(2);
const MIN_POSITIVE = 2 ** -1023 * GAMMA;
const VALUE_FACTOR = 2 / (1 + GAMMA);
/** Bins added around the range in use when the store grows (DDSketch grows by 128). */
const GROW_MARGIN = 32;
/** Values kept as raw keys before the sketch switches to bins. */
const SPARSE_CAPACITY = 32;
/** Keys a sparse sketch makes room for at first. */
const FEW_KEYS = 8;
/** Larger bins are dropped on `clear()` (1 ms to 60 s spans about 550 keys). */
const MAX_KEPT_BINS = 2_048;

/**
 * A DDSketch of non-negative values (1 % relative accuracy, mergeable) whose bins live in
 * one typed array that is kept across `clear()`: a series reuses the same few sketches
 * bucket after bucket instead of allocating a DDSketch (three objects and a 1-2 KB array
 * of boxed counts) every 10 s for every series. A sketch of a few values (most buckets of a
 * large fleet: a route on one host sees a handful of requests in 10 s) keeps their keys in
 * a small array instead of bins: same quantiles, a tenth of the memory.
 */
export class LatencySketch {
  /** Values accepted, zero included. */
  count = 0;
  /** Values too small for a key (0 ms durations). */
  private zeroCount = 0;
  private bins: Uint32Array = EMPTY;
  /** Key of `bins[0]`. */
  private offset = 0;
  /** Lowest and highest keys with a count (meaningless while the store is empty). */
  private minKey = 0;
  private maxKey = -1;
  /** Whether values are in `bins`; otherwise their keys are `keys[0 … sparse - 1]`. */
  private dense = false;
  private keys: number[] | undefined;
  private sparse = 0;

  /** Adds one value (negative values count as zero: durations are never negative). */
  accept(value: number): void {
    this.count++;
    if (value <= MIN_POSITIVE) {
      this.zeroCount++;
      return;
    }
    this.add(Math.ceil(Math.log2(value) * MULTIPLIER), 1);
  }

  /** Empties the sketch and keeps its bins for the next bucket. */
  clear(): void {
    this.dense = false;
    this.sparse = 0;
    if (this.maxKey >= this.minKey)
      this.bins.fill(0, this.minKey - this.offset, this.maxKey - this.offset + 1);
    this.count = 0;
    this.zeroCount = 0;
    this.minKey = 0;
    this.maxKey = -1;
    // A bucket that once saw extreme outliers does not keep their huge range forever.
    if (this.bins.length > MAX_KEPT_BINS) this.bins = EMPTY;
  }

  /** Adds the contents of `other` (the window's sketch is merged into a reused one). */
  merge(other: LatencySketch): void {
    this.count += other.count;
    this.zeroCount += other.zeroCount;
    if (!other.dense) {
      const keys = other.keys as number[];
      for (let i = 0; i < other.sparse; i++) this.add(keys[i] as number, 1);
      return;
    }
    for (let key = other.minKey; key <= other.maxKey; key++) {
      const n = other.bins[key - other.offset] as number;
      if (n > 0) this.add(key, n);
    }
  }

  /** The value at quantile `q` (0..1), within 1 %; NaN when empty (as DDSketch). */
  quantile(q: number): number {
    if (q < 0 || q > 1 || this.count === 0) return Number.NaN;
    const rank = q * (this.count - 1);
    if (rank < this.zeroCount) return 0;
    const target = rank - this.zeroCount;
    if (!this.dense) {
      // One key per value: the key at rank `target` once sorted (order is not state).
      const keys = sortPrefix(this.keys as number[], this.sparse);
      return keyValue(keys[Math.floor(target)] as number);
    }
    let running = 0;
    for (let key = this.minKey; key <= this.maxKey; key++) {
      running += this.bins[key - this.offset] as number;
      if (running > target) return keyValue(key);
    }
    return keyValue(this.maxKey);
  }

  /** The sketch as DDSketch protobuf (the format of engine snapshots). */
  toProto(): Uint8Array {
    const sketch = new DDSketch({ relativeAccuracy: SKETCH_ACCURACY });
    // Keys in ascending order either way: the store's layout, so the bytes, depend only
    // on the contents (a restored engine writes the same snapshot).
    if (!this.dense && this.keys) {
      const keys = sortPrefix(this.keys, this.sparse);
      for (let i = 0; i < this.sparse; i++) sketch.store.add(keys[i] as number, 1);
    }
    for (let key = this.minKey; key <= this.maxKey; key++) {
      const n = this.bins[key - this.offset] as number;
      if (n > 0) sketch.store.add(key, n);
    }
    sketch.zeroCount = this.zeroCount;
    sketch.count = this.count;
    return sketch.toProto();
  }

  /** Replaces the contents with a DDSketch read from protobuf. */
  loadProto(bytes: Uint8Array): void {
    const sketch = DDSketch.fromProto(bytes);
    this.clear();
    const { bins, offset } = sketch.store;
    for (let i = 0; i < bins.length; i++) {
      const n = Math.round(bins[i] as number);
      if (n > 0) {
        this.add(offset + i, n);
        this.count += n;
      }
    }
    this.zeroCount = Math.round(sketch.zeroCount);
    this.count += this.zeroCount;
  }

  private add(key: number, n: number): void {
    if (!this.dense) {
      if (this.sparse + n <= SPARSE_CAPACITY) {
        let keys = this.keys;
        if (keys === undefined || keys.length < this.sparse + n) {
          // A plain array of small integers: half the size of an Int32Array this short
          // (whose object and buffer weigh more than its contents). Eight keys first: most
          // buckets of a route or host never see more.
          const grown: number[] = new Array(this.sparse + n <= FEW_KEYS ? FEW_KEYS : SPARSE_CAPACITY).fill(0);
          for (let i = 0; i < this.sparse; i++) grown[i] = (keys as number[])[i] as number;
          this.keys = keys = grown;
        }
        for (let i = 0; i < n; i++) keys[this.sparse++] = key;
        return;
      }
      this.dense = true;
      const keys = this.keys as number[];
      for (let i = 0; i < this.sparse; i++) this.addDense(keys[i] as number, 1);
      this.sparse = 0;
    }
    this.addDense(key, n);
  }

  private addDense(key: number, n: number): void {
    let index = key - this.offset;
    if (index < 0 || index >= this.bins.length) {
      this.grow(key);
      index = key - this.offset;
    }
    this.bins[index] = (this.bins[index] as number) + n;
    if (this.maxKey < this.minKey) {
      this.minKey = key;
      this.maxKey = key;
    } else if (key < this.minKey) this.minKey = key;
    else if (key > this.maxKey) this.maxKey = key;
  }

  /**
   * Makes the bins cover `key`. An empty store only moves its window of keys; otherwise
   * the bins at least double, centred on the keys in use, so a reused sketch soon stops
   * reallocating.
   */
  private grow(key: number): void {
    const length = this.bins.length;
    if (this.maxKey < this.minKey) {
      if (length > 0) {
        // Every bin is zero: move the window instead of reallocating.
        this.offset = key - (length >> 1);
        return;
      }
      this.bins = new Uint32Array(2 * GROW_MARGIN + 1);
      this.offset = key - GROW_MARGIN;
      return;
    }
    const low = Math.min(key, this.minKey);
    const high = Math.max(key, this.maxKey);
    const span = high - low + 1;
    const bins = new Uint32Array(Math.max(span + 2 * GROW_MARGIN, 2 * length));
    const offset = low - ((bins.length - span) >> 1);
    bins.set(
      this.bins.subarray(this.minKey - this.offset, this.maxKey - this.offset + 1),
      this.minKey - offset,
    );
    this.bins = bins;
    this.offset = offset;
  }
}

const EMPTY = new Uint32Array(0);

/** Sorts `keys[0 … n - 1]` in place (insertion sort: at most 32 keys) and returns `keys`. */
function sortPrefix(keys: number[], n: number): number[] {
  for (let i = 1; i < n; i++) {
    const key = keys[i] as number;
    let j = i - 1;
    while (j >= 0 && (keys[j] as number) > key) {
      keys[j + 1] = keys[j] as number;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

function keyValue(key: number): number {
  return 2 ** (key / MULTIPLIER) * VALUE_FACTOR;
}
