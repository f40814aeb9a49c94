import { DDSketch } from '@datadog/sketches-js';
import { describe, expect, it } from 'vitest';
import { LatencySketch } from '../../src/metrics/sketch.js';

const QUANTILES = [0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1];

/** A deterministic generator (mulberry32): the values differ per seed, not per run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Latencies in ms: mostly 5-300 ms, some zeros and some slow outliers up to a minute. */
function latencies(seed: number, n: number): number[] {
  const next = random(seed);
  return Array.from({ length: n }, () => {
    const r = next();
    if (r < 0.03) return 0;
    if (r < 0.06) return next() * 60_000;
    return 5 * Math.exp(next() * 4);
  });
}

function expectSameQuantiles(ours: LatencySketch, reference: DDSketch): void {
  expect(ours.count).toBe(reference.count);
  for (const q of QUANTILES) expect(ours.quantile(q)).toBe(reference.getValueAtQuantile(q));
}

describe('LatencySketch', () => {
  it('gives the quantiles of a DDSketch at 1 % accuracy, from a few values to thousands', () => {
    for (const [seed, n] of [
      [1, 1],
      [2, 7],
      [3, 32],
      [4, 33],
      [5, 500],
      [6, 5_000],
    ] as const) {
      const ours = new LatencySketch();
      const reference = new DDSketch({ relativeAccuracy: 0.01 });
      for (const ms of latencies(seed, n)) {
        ours.accept(ms);
        reference.accept(ms);
      }
      expectSameQuantiles(ours, reference);
    }
  });

  it('stays within 1 % of the exact quantile', () => {
    const values = latencies(9, 2_000).filter((v) => v > 0);
    const ours = new LatencySketch();
    for (const v of values) ours.accept(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = sorted[Math.floor(q * (sorted.length - 1))] as number;
      expect(Math.abs(ours.quantile(q) - exact) / exact).toBeLessThanOrEqual(0.01);
    }
  });

  it('merges windows, and is reused after clear() as if new', () => {
    const reused = new LatencySketch();
    for (let round = 0; round < 4; round++) {
      const parts = [latencies(10 + round, 3), latencies(20 + round, 40), latencies(30 + round, 400)];
      const merged = new LatencySketch();
      const reference = new DDSketch({ relativeAccuracy: 0.01 });
      for (const part of parts) {
        reused.clear();
        const sketch = new LatencySketch();
        for (const ms of part) {
          sketch.accept(ms);
          reused.accept(ms);
          reference.accept(ms);
        }
        merged.merge(sketch);
        const alone = new DDSketch({ relativeAccuracy: 0.01 });
        for (const ms of part) alone.accept(ms);
        expectSameQuantiles(reused, alone);
      }
      expectSameQuantiles(merged, reference);
    }
  });

  it('round-trips through the DDSketch protobuf of engine snapshots', () => {
    for (const n of [5, 300]) {
      const ours = new LatencySketch();
      for (const ms of latencies(40 + n, n)) ours.accept(ms);
      const fromOurs = DDSketch.fromProto(ours.toProto());
      const back = new LatencySketch();
      back.loadProto(ours.toProto());
      expect(fromOurs.count).toBe(ours.count);
      for (const q of QUANTILES) {
        // DDSketch rebuilds its mapping from gamma: the same bins, values equal to ~1e-15.
        const value = ours.quantile(q);
        expect(Math.abs(fromOurs.getValueAtQuantile(q) - value)).toBeLessThanOrEqual(1e-9 * value);
        expect(back.quantile(q)).toBe(ours.quantile(q));
      }
    }
  });

  it('is empty after clear()', () => {
    const sketch = new LatencySketch();
    for (const ms of latencies(50, 100)) sketch.accept(ms);
    sketch.clear();
    expect(sketch.count).toBe(0);
    expect(sketch.quantile(0.5)).toBeNaN();
  });
});
