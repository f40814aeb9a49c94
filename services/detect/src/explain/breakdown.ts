import type { Contributor } from '../model.js';

/** Counts of one field value in one bucket. */
interface ValueCounts {
  count: number;
  errors: number;
  slow: number;
}

/** Baseline of one field value: counts per bucket, decayed. */
interface ValueBaseline {
  count: number;
  errors: number;
  slow: number;
}

/** Fields a service's events are broken down by, to explain its anomalies. */
export const BREAKDOWN_FIELDS = [
  'url.path',
  'host.name',
  'http.response.status_code',
  'error.type',
  'template',
] as const;

/** One of the breakdown fields. */
export type BreakdownField = (typeof BREAKDOWN_FIELDS)[number];

const MAX_VALUES_PER_BUCKET = 200;
const FIELD_INDEX = Object.fromEntries(BREAKDOWN_FIELDS.map((field, i) => [field, i])) as Record<
  BreakdownField,
  number
>;
const STATUS_FIELD = FIELD_INDEX['http.response.status_code'];
const MAX_BASELINE_VALUES = 2_000;

/** State of a breakdown, as stored in snapshots. */
export interface BreakdownState {
  baseline: [string, ValueBaseline][];
  recent: [string, ValueCounts][][];
}

/** One bucket's counts: per field (index in BREAKDOWN_FIELDS), then per value. */
type BucketCounts = Map<string | number, ValueCounts>[];

/** A value's baseline, with the order it was first learnt in (ties are broken by it). */
interface Learnt extends ValueBaseline {
  seq: number;
}

/**
 * Which values (routes, hosts, status codes, error types, templates) account for what
 * is anomalous: counts per value in the recent buckets against each value's decayed
 * average per bucket — the idea of Elastic's log rate analysis, bounded in memory.
 * Counts stay keyed by field then value (no `field\0value` string per value and bucket)
 * and the maps of the bucket that leaves the window are reused for the next one.
 */
export class Breakdown {
  /** The open bucket's counts. */
  private current: BucketCounts = emptyBucket();
  private readonly recent: BucketCounts[] = [];
  private readonly baseline: Map<string | number, Learnt>[] = perField<Learnt>();
  private baselineSize = 0;
  private nextSeq = 0;
  private readonly decay: number;

  constructor(
    private readonly windowBuckets: number,
    halfLifeBuckets: number,
    state?: BreakdownState,
  ) {
    this.decay = 0.5 ** (1 / halfLifeBuckets);
    if (state) {
      for (const [key, value] of state.baseline) {
        const parsed = parseKey(key);
        if (parsed) this.learnt(parsed[0], parsed[1], value.count, value.errors, value.slow);
      }
      for (const entries of state.recent) {
        const bucket = emptyBucket();
        for (const [key, counts] of entries) {
          const parsed = parseKey(key);
          if (parsed) (bucket[parsed[0]] as Map<string | number, ValueCounts>).set(parsed[1], { ...counts });
        }
        this.recent.push(bucket);
      }
    }
  }

  add(field: BreakdownField, value: string | number | undefined, error: boolean, slow: boolean): void {
    if (value === undefined) return;
    const byValue = this.current[FIELD_INDEX[field]] as Map<string | number, ValueCounts>;
    let counts = byValue.get(value);
    if (!counts) {
      if (byValue.size >= MAX_VALUES_PER_BUCKET) return;
      counts = { count: 0, errors: 0, slow: 0 };
      byValue.set(value, counts);
    }
    counts.count++;
    if (error) counts.errors++;
    if (slow) counts.slow++;
  }

  /** Closes the current bucket; learns it unless the service has an open anomaly. */
  close(learn: boolean): void {
    const closed = this.current;
    this.recent.push(closed);
    const evicted = this.recent.length > this.windowBuckets ? this.recent.shift() : undefined;
    if (evicted) for (const byValue of evicted) byValue.clear();
    this.current = evicted ?? emptyBucket();
    if (!learn) return;
    const keep = 1 - this.decay;
    for (const byValue of this.baseline) {
      for (const baseline of byValue.values()) {
        baseline.count *= this.decay;
        baseline.errors *= this.decay;
        baseline.slow *= this.decay;
      }
    }
    for (let index = 0; index < closed.length; index++) {
      const learnt = this.baseline[index] as Map<string | number, Learnt>;
      for (const [value, counts] of closed[index] as Map<string | number, ValueCounts>) {
        const baseline = learnt.get(value);
        if (baseline) {
          baseline.count += counts.count * keep;
          baseline.errors += counts.errors * keep;
          baseline.slow += counts.slow * keep;
        } else if (this.baselineSize < MAX_BASELINE_VALUES) {
          this.learnt(index, value, counts.count * keep, counts.errors * keep, counts.slow * keep);
        }
      }
    }
    if (this.baselineSize >= MAX_BASELINE_VALUES) this.forgetSmallest();
  }

  /**
   * Values ranked by their excess over the baseline in the last `buckets` buckets, for
   * `measure` (errors for error spikes, slow for latency, count for volume).
   */
  contributors(
    measure: keyof ValueCounts,
    buckets: number,
    fields: readonly BreakdownField[] = BREAKDOWN_FIELDS,
    top = 5,
  ): Contributor[] {
    const window = this.recent.slice(-buckets);
    // Rows in order of first appearance (bucket, then field, then value): ties keep it.
    const observed = new Map<string, { index: number; value: string | number; total: number }>();
    for (const bucket of window) {
      for (let index = 0; index < bucket.length; index++) {
        for (const [value, counts] of bucket[index] as Map<string | number, ValueCounts>) {
          const key = `${BREAKDOWN_FIELDS[index]}\u0000${value}`;
          const row = observed.get(key);
          if (row) row.total += counts[measure];
          else observed.set(key, { index, value, total: counts[measure] });
        }
      }
    }
    const rows: Contributor[] = [];
    for (const { index, value, total } of observed.values()) {
      const field = BREAKDOWN_FIELDS[index] as BreakdownField;
      if (!fields.includes(field)) continue;
      const expected =
        ((this.baseline[index] as Map<string | number, Learnt>).get(value)?.[measure] ?? 0) * window.length;
      const excess = total - expected;
      if (excess <= 0) continue;
      rows.push({
        field,
        value: String(value),
        observed: total,
        expected: Math.round(expected * 100) / 100,
        share: excess,
      });
    }
    // Shares are per field: each field splits the same excess its own way.
    const perField = new Map<string, number>();
    for (const row of rows) perField.set(row.field, (perField.get(row.field) ?? 0) + row.share);
    for (const row of rows) {
      const fieldTotal = perField.get(row.field) ?? 1;
      row.share = Math.round((row.share / fieldTotal) * 1000) / 1000;
    }
    return rows
      .sort(
        (a, b) =>
          b.share * b.observed - a.share * a.observed ||
          fieldRank(a.field) - fieldRank(b.field) ||
          b.observed - a.observed,
      )
      .slice(0, top);
  }

  snapshot(): BreakdownState {
    return {
      baseline: this.learntInOrder().map(([index, value, b]) => [
        `${BREAKDOWN_FIELDS[index]}\u0000${value}`,
        { count: b.count, errors: b.errors, slow: b.slow },
      ]),
      recent: this.recent.map((bucket) => {
        const entries: [string, ValueCounts][] = [];
        for (let index = 0; index < bucket.length; index++) {
          for (const [value, counts] of bucket[index] as Map<string | number, ValueCounts>) {
            entries.push([`${BREAKDOWN_FIELDS[index]}\u0000${value}`, { ...counts }]);
          }
        }
        return entries;
      }),
    };
  }

  private learnt(index: number, value: string | number, count: number, errors: number, slow: number): void {
    (this.baseline[index] as Map<string | number, Learnt>).set(value, {
      count,
      errors,
      slow,
      seq: this.nextSeq++,
    });
    this.baselineSize++;
  }

  /** Every learnt value in the order it was first learnt. */
  private learntInOrder(): [number, string | number, Learnt][] {
    const all: [number, string | number, Learnt][] = [];
    for (let index = 0; index < this.baseline.length; index++) {
      for (const [value, b] of this.baseline[index] as Map<string | number, Learnt>)
        all.push([index, value, b]);
    }
    return all.sort((a, b) => a[2].seq - b[2].seq);
  }

  private forgetSmallest(): void {
    const sorted = this.learntInOrder().sort((a, b) => a[2].count - b[2].count);
    for (const [index, value] of sorted.slice(0, Math.floor(MAX_BASELINE_VALUES / 10))) {
      (this.baseline[index] as Map<string | number, Learnt>).delete(value);
      this.baselineSize--;
    }
  }
}

function emptyBucket(): BucketCounts {
  return perField<ValueCounts>();
}

function perField<T>(): Map<string | number, T>[] {
  return BREAKDOWN_FIELDS.map(() => new Map<string | number, T>());
}

/**
 * A snapshot key back to field index and value. Status codes are counted as numbers
 * (as events carry them) but written as text in snapshot keys.
 */
function parseKey(key: string): [number, string | number] | undefined {
  const cut = key.indexOf('\u0000');
  const index = FIELD_INDEX[key.slice(0, cut) as BreakdownField] as number | undefined;
  if (cut === -1 || index === undefined) return undefined;
  const name = key.slice(cut + 1);
  if (index === STATUS_FIELD && /^\d+$/.test(name)) return [index, Number(name)];
  return [index, name];
}

function fieldRank(field: string): number {
  return BREAKDOWN_FIELDS.indexOf(field as BreakdownField);
}
