import { describe, expect, it } from 'vitest';
import {
  binomialLowerTail,
  binomialUpperTail,
  poissonLowerTail,
  poissonUpperTail,
  pValueFromScore,
  scoreFromPValue,
} from '../../src/stats/tails.js';

function binomialExact(k: number, n: number, p: number): number {
  // Direct sum with exact coefficients, for small n.
  let total = 0;
  for (let i = k; i <= n; i++) {
    let c = 1;
    for (let j = 1; j <= i; j++) c = (c * (n - i + j)) / j;
    total += c * p ** i * (1 - p) ** (n - i);
  }
  return total;
}

describe('count tails', () => {
  it('match exact binomial sums', () => {
    for (const [k, n, p] of [
      [3, 10, 0.1],
      [8, 50, 0.05],
      [1, 20, 0.01],
      [15, 30, 0.5],
    ] as const) {
      expect(binomialUpperTail(k, n, p)).toBeCloseTo(binomialExact(k, n, p), 10);
      expect(binomialLowerTail(k - 1, n, p)).toBeCloseTo(1 - binomialExact(k, n, p), 10);
    }
  });

  it('match known Poisson values', () => {
    // P(X >= 1 | 1) = 1 - e^-1; P(X <= 0 | 30) = e^-30.
    expect(poissonUpperTail(1, 1)).toBeCloseTo(1 - Math.exp(-1), 12);
    expect(poissonLowerTail(0, 30)).toBeCloseTo(Math.exp(-30), 20);
    expect(poissonUpperTail(10, 1)).toBeCloseTo(1.1142547e-7, 12);
    expect(poissonUpperTail(0, 5)).toBe(1);
  });

  it('stay finite and tiny far in the tail, where a naive sum underflows', () => {
    const p = binomialUpperTail(500, 10_000, 0.005);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-100);
    expect(poissonUpperTail(200, 10)).toBeLessThan(1e-100);
  });

  it('turn p-values into scores and back', () => {
    expect(scoreFromPValue(1e-5)).toBeCloseTo(0.5, 12);
    expect(scoreFromPValue(1e-9)).toBeCloseTo(0.9, 12);
    expect(scoreFromPValue(0)).toBe(1);
    expect(scoreFromPValue(0.5)).toBeLessThan(0.05);
    expect(pValueFromScore(scoreFromPValue(3e-7))).toBeCloseTo(3e-7, 15);
  });
});
