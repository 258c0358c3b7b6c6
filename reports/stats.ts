// Distribution-free statistics for the regression gate: Mann–Whitney U (normal approximation
// with tie and continuity correction, as R's wilcox.test(exact = FALSE)), Holm's step-down
// correction, and the Hodges–Lehmann shift with its distribution-free confidence interval. The
// median and its sign-test interval (the ratio budgets') live in benchmarks/stats.ts, which
// computes them for each row.
// Latency samples are skewed and heavy-tailed, so nothing here assumes normality of the data.

import { ascending } from '../benchmarks/stats.js';

/** Complementary error function (Numerical Recipes' erfcc: fractional error < 1.2e-7 everywhere). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(-z * z + poly);
  return x >= 0 ? r : 2 - r;
}

/** P(Z <= z) for a standard normal Z. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** The z with P(Z <= z) = p, by bisection on normalCdf (monotone; 100 halvings is exact enough). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError('normalQuantile needs 0 < p < 1');
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface MannWhitneyResult {
  /** U for the first sample: pairs (x, y) with x > y, ties counting one half. */
  u: number;
  /** Continuity-corrected z of U. */
  z: number;
  /** Two-sided p-value. */
  p: number;
}

export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('Mann–Whitney U needs two non-empty samples');
  const all = [...x.map((v) => ({ v, first: true })), ...y.map((v) => ({ v, first: false }))].sort((a, b) => a.v - b.v);
  const n = all.length;
  let rankSumX = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j + 2) / 2; // ranks are 1-based; ties share their average rank
    for (let k = i; k <= j; k++) if (all[k]!.first) rankSumX += rank;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, z: 0, p: 1 }; // every value tied: no evidence either way
  const d = u - mean;
  const z = (d - Math.sign(d) * 0.5) / Math.sqrt(variance);
  return { u, z, p: Math.min(1, 2 * normalCdf(-Math.abs(z))) };
}

/** Holm's step-down adjusted p-values, in the input order (family-wise error rate control). */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/**
 * Over the pairwise differences y[j] - x[i] (x, y ascending): how many are <= d, and the
 * smallest one above d. Two pointers, O(n1 + n2): as x[i] grows, y[j] - x[i] shrinks, so the
 * qualifying prefix of y only grows.
 */
function scan(x: readonly number[], y: readonly number[], d: number): { atMost: number; nextAbove: number } {
  let atMost = 0;
  let nextAbove = Infinity;
  let j = 0;
  for (let i = 0; i < x.length; i++) {
    while (j < y.length && y[j]! - x[i]! <= d) j++;
    atMost += j;
    if (j < y.length) nextAbove = Math.min(nextAbove, y[j]! - x[i]!);
  }
  return { atMost, nextAbove };
}

/**
 * The k-th smallest (1-based) of the n1 * n2 differences y[j] - x[i], without listing them:
 * bisect on the value until one distinct difference is left in (lo, hi], then snap to it.
 */
export function kthDifference(x: readonly number[], y: readonly number[], k: number): number {
  let lo = y[0]! - x[x.length - 1]!;
  let hi = y[y.length - 1]! - x[0]!;
  if (scan(x, y, lo).atMost >= k) return lo;
  // Invariant: count(<= lo) < k <= count(<= hi).
  for (;;) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    if (scan(x, y, mid).atMost >= k) hi = mid;
    else lo = mid;
  }
  return scan(x, y, lo).nextAbove;
}

export interface ShiftEstimate {
  /** Hodges–Lehmann estimate of the shift current - baseline (median of pairwise differences). */
  shift: number;
  lower: number;
  upper: number;
}

/**
 * Hodges–Lehmann shift of y relative to x with its distribution-free confidence interval
 * (Hollander & Wolfe: order statistics of the pairwise differences at ranks C and N + 1 - C,
 * C from the normal approximation of U's null distribution).
 */
export function hodgesLehmann(x: readonly number[], y: readonly number[], confidence = 0.95): ShiftEstimate {
  const xs = ascending(x);
  const ys = ascending(y);
  const n1 = xs.length;
  const n2 = ys.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('Hodges–Lehmann needs two non-empty samples');
  const total = n1 * n2;
  const half = total >> 1;
  const shift =
    total % 2 === 1
      ? kthDifference(xs, ys, half + 1)
      : (kthDifference(xs, ys, half) + kthDifference(xs, ys, half + 1)) / 2;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const c = Math.max(1, Math.floor(total / 2 - z * Math.sqrt((total * (n1 + n2 + 1)) / 12)));
  return { shift, lower: kthDifference(xs, ys, c), upper: kthDifference(xs, ys, total + 1 - c) };
}
