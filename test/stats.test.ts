import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 as rng } from '../benchmarks/random.js';
import { median, medianInterval } from '../benchmarks/stats.js';
import { holm, hodgesLehmann, kthDifference, mannWhitneyU, normalCdf, normalQuantile } from '../reports/stats.js';

/** Skewed, latency-like samples: a floor plus an exponential tail. */
function latencies(random: () => number, n: number, floor: number, scale: number): number[] {
  return Array.from({ length: n }, () => floor - scale * Math.log(1 - random()));
}

// Hollander & Wolfe's example, used by R's wilcox.test documentation: W = 35.
const X = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
const Y = [1.15, 0.88, 0.9, 0.74, 1.21];

test('normal distribution helpers agree with tabulated values', () => {
  assert.ok(Math.abs(normalCdf(1.959963984540054) - 0.975) < 1e-7);
  assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
  assert.ok(Math.abs(normalCdf(-3) - 0.0013498980316301) < 1e-9);
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959963984540054) < 1e-5);
  assert.ok(Math.abs(normalQuantile(0.05) + 1.6448536269514722) < 1e-5);
  assert.throws(() => normalQuantile(1), RangeError);
});

test('Mann–Whitney U matches the textbook statistic and the normal approximation', () => {
  const r = mannWhitneyU(X, Y);
  assert.equal(r.u, 35);
  // R: wilcox.test(x, y, exact = FALSE) -> p-value = 0.2446 (continuity-corrected).
  assert.ok(Math.abs(r.p - 0.24462360512698333) < 1e-6, `p = ${r.p}`);
  // Swapping the samples mirrors U and keeps the two-sided p.
  const swapped = mannWhitneyU(Y, X);
  assert.equal(swapped.u, X.length * Y.length - 35);
  assert.ok(Math.abs(swapped.p - r.p) < 1e-12);
});

test('Mann–Whitney U applies the tie correction', () => {
  // Heavily tied samples; scipy.stats.mannwhitneyu(..., method='asymptotic') -> U = 15.5, p = 0.0094959.
  const r = mannWhitneyU([1, 2, 2, 3, 3, 3, 4, 5, 5, 6], [3, 4, 4, 5, 6, 6, 7, 7, 8, 9]);
  assert.equal(r.u, 15.5);
  assert.ok(Math.abs(r.p - 0.00949585610483713) < 1e-6, `p = ${r.p}`);
  assert.deepEqual(mannWhitneyU([2, 2, 2], [2, 2]), { u: 3, z: 0, p: 1 });
  assert.throws(() => mannWhitneyU([], [1]), RangeError);
});

test('Holm adjusts step-down and keeps the input order', () => {
  // p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") -> 0.03 0.06 0.06 0.02
  const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
  const expected = [0.03, 0.06, 0.06, 0.02];
  adjusted.forEach((p, i) => assert.ok(Math.abs(p - expected[i]!) < 1e-12, `${i}: ${p}`));
  assert.deepEqual(holm([0.9, 0.8]), [1, 1]);
  assert.deepEqual(holm([]), []);
});

test('kthDifference finds every order statistic of the pairwise differences', () => {
  const random = rng(7);
  const x = latencies(random, 37, 1, 2)
    .map((v) => Math.round(v * 10) / 10)
    .sort((a, b) => a - b);
  const y = latencies(random, 23, 1.5, 2)
    .map((v) => Math.round(v * 10) / 10)
    .sort((a, b) => a - b);
  const all = x.flatMap((a) => y.map((b) => b - a)).sort((a, b) => a - b);
  for (let k = 1; k <= all.length; k += 17) assert.equal(kthDifference(x, y, k), all[k - 1], `k = ${k}`);
  assert.equal(kthDifference(x, y, all.length), all[all.length - 1]);
});

test('Hodges–Lehmann estimates the textbook shift', () => {
  // R: wilcox.test(y, x, conf.int = TRUE)$estimate = -0.305
  const { shift, lower, upper } = hodgesLehmann(X, Y);
  assert.ok(Math.abs(shift + 0.305) < 1e-9, `shift = ${shift}`);
  assert.ok(lower <= shift && shift <= upper);
});

test('Hodges–Lehmann interval covers a known shift and is tight on large samples', () => {
  const random = rng(20240601);
  let covered = 0;
  const trials = 40;
  for (let t = 0; t < trials; t++) {
    const base = latencies(random, 400, 10, 3);
    const shifted = latencies(random, 400, 10, 3).map((v) => v + 1.5);
    const { shift, lower, upper } = hodgesLehmann(base, shifted);
    if (lower <= 1.5 && 1.5 <= upper) covered++;
    assert.ok(Math.abs(shift - 1.5) < 1, `estimate ${shift}`);
    assert.ok(upper - lower < 1.5, `interval ${lower}..${upper}`);
  }
  // A 95% interval: with a fixed seed, 40 trials cover the true shift at least 35 times.
  assert.ok(covered >= 35, `covered ${covered}/${trials}`);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('Mann–Whitney has power against a 30% slowdown and stays quiet on equal distributions', () => {
  const random = rng(99);
  const base = latencies(random, 500, 5, 2);
  const same = latencies(random, 500, 5, 2);
  const slow = latencies(random, 500, 5, 2).map((v) => v * 1.3);
  assert.ok(mannWhitneyU(base, slow).p < 1e-6);
  assert.ok(mannWhitneyU(base, same).p > 0.01);
});

test('the median interval takes the sign-test order statistics and reports their exact coverage', () => {
  const ranks = (n: number): number[] => Array.from({ length: n }, (_, i) => n - i); // descending: the helper sorts
  // n = 12: P(Bin(12, 1/2) <= 2) = 79/4096, so x(3)..x(10) covers 1 - 2 * 79/4096; x(4) would drop below 95%.
  assert.deepEqual(medianInterval(ranks(12)), { low: 3, high: 10, confidence: 1 - (2 * 79) / 4096 });
  assert.deepEqual(medianInterval(ranks(20)), { low: 6, high: 15, confidence: 1 - (2 * 21_700) / 2 ** 20 });
  // Too few values for 95%: the whole range, and its lower coverage.
  assert.deepEqual(medianInterval(ranks(5)), { low: 1, high: 5, confidence: 1 - 2 / 32 });
  assert.deepEqual(medianInterval([7]), { low: 7, high: 7, confidence: 0 });
  assert.deepEqual(medianInterval(ranks(12), 0.8), { low: 4, high: 9, confidence: 1 - (2 * 299) / 4096 });
  assert.throws(() => medianInterval([]), RangeError);
  assert.throws(() => medianInterval([1], 1), RangeError);
  // It covers the median of the distribution about as often as it says.
  const random = rng(5);
  let covered = 0;
  const trials = 2000;
  for (let t = 0; t < trials; t++) {
    const { low, high } = medianInterval(Array.from({ length: 12 }, () => random()));
    if (low <= 0.5 && 0.5 <= high) covered++;
  }
  assert.ok(Math.abs(covered / trials - (1 - (2 * 79) / 4096)) < 0.02, `covered ${covered} of ${trials}`);
});
