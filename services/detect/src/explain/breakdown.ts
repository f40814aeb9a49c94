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
const MAX_BASELINE_VALUES = 2_000;

/** State of a breakdown, as stored in snapshots. */
export interface BreakdownState {
  baseline: [string, ValueBaseline][];
  recent: [string, ValueCounts][][];
}

/**
 * Which values (routes, hosts, status codes, error types, templates) account for what
 * is anomalous: counts per value in the recent buckets against each value's decayed
 * average per bucket — the idea of Elastic's log rate analysis, bounded in memory.
 */
export class Breakdown {
  /** The open bucket's counts, per field (index in BREAKDOWN_FIELDS), then per value. */
  private readonly currentByField: Map<string | number, ValueCounts>[] = BREAKDOWN_FIELDS.map(
    () => new Map(),
  );
  private readonly recent: Map<string, ValueCounts>[] = [];
  private readonly baseline = new Map<string, ValueBaseline>();
  private readonly decay: number;

  constructor(
    private readonly windowBuckets: number,
    halfLifeBuckets: number,
    state?: BreakdownState,
  ) {
    this.decay = 0.5 ** (1 / halfLifeBuckets);
    if (state) {
      for (const [key, value] of state.baseline) this.baseline.set(key, { ...value });
      for (const bucket of state.recent) this.recent.push(new Map(bucket.map(([k, v]) => [k, { ...v }])));
    }
  }

  add(field: BreakdownField, value: string | number | undefined, error: boolean, slow: boolean): void {
    if (value === undefined) return;
    const byValue = this.currentByField[FIELD_INDEX[field]] as Map<string | number, ValueCounts>;
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
    const closed = new Map<string, ValueCounts>();
    for (const [index, byValue] of this.currentByField.entries()) {
      for (const [value, counts] of byValue) closed.set(`${BREAKDOWN_FIELDS[index]}\u0000${value}`, counts);
      byValue.clear();
    }
    this.recent.push(closed);
    if (this.recent.length > this.windowBuckets) this.recent.shift();
    if (!learn) return;
    for (const baseline of this.baseline.values()) {
      baseline.count *= this.decay;
      baseline.errors *= this.decay;
      baseline.slow *= this.decay;
    }
    for (const [key, counts] of closed) {
      const baseline = this.baseline.get(key);
      if (baseline) {
        baseline.count += counts.count * (1 - this.decay);
        baseline.errors += counts.errors * (1 - this.decay);
        baseline.slow += counts.slow * (1 - this.decay);
      } else if (this.baseline.size < MAX_BASELINE_VALUES) {
        this.baseline.set(key, {
          count: counts.count * (1 - this.decay),
          errors: counts.errors * (1 - this.decay),
          slow: counts.slow * (1 - this.decay),
        });
      }
    }
    if (this.baseline.size >= MAX_BASELINE_VALUES) this.forgetSmallest();
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
    const observed = new Map<string, number>();
    for (const bucket of window) {
      for (const [key, counts] of bucket) observed.set(key, (observed.get(key) ?? 0) + counts[measure]);
    }
    const rows: Contributor[] = [];
    for (const [key, value] of observed) {
      const [field, name] = key.split('\u0000') as [BreakdownField, string];
      if (!fields.includes(field)) continue;
      const expected = (this.baseline.get(key)?.[measure] ?? 0) * window.length;
      const excess = value - expected;
      if (excess <= 0) continue;
      rows.push({
        field,
        value: name,
        observed: value,
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
      baseline: [...this.baseline.entries()].map(([k, v]) => [k, { ...v }]),
      recent: this.recent.map((bucket) => [...bucket.entries()].map(([k, v]) => [k, { ...v }])),
    };
  }

  private forgetSmallest(): void {
    const sorted = [...this.baseline.entries()].sort((a, b) => a[1].count - b[1].count);
    for (const [key] of sorted.slice(0, Math.floor(MAX_BASELINE_VALUES / 10))) this.baseline.delete(key);
  }
}

function fieldRank(field: string): number {
  return BREAKDOWN_FIELDS.indexOf(field as BreakdownField);
}
