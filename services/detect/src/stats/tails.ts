import { gammaln } from 'simple-statistics';

// Counts are tested as counts: a z-score on 3 errors against 0.4 expected means nothing,
// a binomial or Poisson tail does. Sums run in log space from the observed count
// outwards and stop once terms no longer change the result.

const RELATIVE_EPSILON = 1e-12;
const MAX_TERMS = 100_000;

function logBinomialTerm(n: number, i: number, logP: number, logQ: number): number {
  return gammaln(n + 1) - gammaln(i + 1) - gammaln(n - i + 1) + i * logP + (n - i) * logQ;
}

/** P(X >= k) for X ~ Binomial(n, p). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  if (k <= n * p) return 1 - binomialLowerTail(k - 1, n, p);
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  let sum = 0;
  for (let i = k; i <= n && i < k + MAX_TERMS; i++) {
    const term = Math.exp(logBinomialTerm(n, i, logP, logQ));
    sum += term;
    if (term < sum * RELATIVE_EPSILON) break;
  }
  return Math.min(1, sum);
}

/** P(X <= k) for X ~ Binomial(n, p). */
export function binomialLowerTail(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  let sum = 0;
  for (let i = k; i >= 0 && i > k - MAX_TERMS; i--) {
    const term = Math.exp(logBinomialTerm(n, i, logP, logQ));
    sum += term;
    if (i < n * p && term < sum * RELATIVE_EPSILON) break;
  }
  return Math.min(1, sum);
}

function logPoissonTerm(lambda: number, i: number): number {
  return -lambda + i * Math.log(lambda) - gammaln(i + 1);
}

/** P(X >= k) for X ~ Poisson(lambda). */
export function poissonUpperTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  if (k <= lambda) return 1 - poissonLowerTail(k - 1, lambda);
  let sum = 0;
  for (let i = k; i < k + MAX_TERMS; i++) {
    const term = Math.exp(logPoissonTerm(lambda, i));
    sum += term;
    if (term < sum * RELATIVE_EPSILON) break;
  }
  return Math.min(1, sum);
}

/** P(X <= k) for X ~ Poisson(lambda). */
export function poissonLowerTail(k: number, lambda: number): number {
  if (k < 0) return 0;
  if (lambda <= 0) return 1;
  let sum = 0;
  for (let i = Math.floor(k); i >= 0; i--) {
    const term = Math.exp(logPoissonTerm(lambda, i));
    sum += term;
    if (i < lambda && term < sum * RELATIVE_EPSILON) break;
  }
  return Math.min(1, sum);
}

/**
 * A tail probability as a score in [0,1], linear in -log10(p): p = 1e-5 (the default
 * alert level) scores 0.5, 1e-7 scores 0.7 (warning), 1e-9 scores 0.9 (critical).
 */
export function scoreFromPValue(p: number): number {
  if (!(p > 0)) return 1;
  return Math.max(0, Math.min(1, -Math.log10(p) / 10));
}

/** The p-value a score stands for (inverse of `scoreFromPValue`). */
export function pValueFromScore(score: number): number {
  return 10 ** (-10 * score);
}
