// Latency statistics from retained samples. tinybench reports p50/p75/p99/p995/p999 but no p95,
// and the open-loop histogram reports its own: every row's percentiles come from here instead,
// one definition for all of them.

/**
 * The p-th percentile (0..100) of ascending samples, interpolating linearly between the
 * closest ranks (the "R-7" definition tinybench and numpy use by default).
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('percentile of an empty sample');
  if (!(p >= 0 && p <= 100)) throw new RangeError('percentile p must be in 0..100');
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export interface LatencySummary {
  p50Us: number;
  p95Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
}

export function summarize(sortedUs: ArrayLike<number>): LatencySummary {
  return {
    p50Us: percentile(sortedUs, 50),
    p95Us: percentile(sortedUs, 95),
    p99Us: percentile(sortedUs, 99),
    p999Us: percentile(sortedUs, 99.9),
    maxUs: sortedUs[sortedUs.length - 1]!,
  };
}

/** Percentiles a row's ladder keeps: HdrHistogram's percentile plot in a dozen points. */
const LADDER = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999];

/**
 * The latency (µs, 4 significant digits) at each ladder percentile that `count` samples resolve
 * (at least one sample above it: a rarer one would only repeat the max), then the max at 100.
 */
export function percentileLadder(count: number, at: (p: number) => number, maxUs: number): Array<[number, number]> {
  const round = (us: number): number => Number(us.toPrecision(4));
  const resolved = LADDER.filter((p) => count * (1 - p / 100) >= 1 - 1e-9);
  return [...resolved.map((p): [number, number] => [p, round(at(p))]), [100, round(maxUs)]];
}

/** Rows keep at most this many samples for the regression test: enough for its power, small in JSON. */
export const MAX_RETAINED_SAMPLES = 2000;

/**
 * At most `max` evenly spaced order statistics of ascending samples (first and last kept),
 * so a thinned row keeps the shape of the whole distribution.
 */
export function thin(sorted: ArrayLike<number>, max = MAX_RETAINED_SAMPLES): number[] {
  const n = sorted.length;
  if (n <= max) return Array.from(sorted);
  const out: number[] = [];
  for (let i = 0; i < max; i++) out.push(sorted[Math.round((i * (n - 1)) / (max - 1))]!);
  return out;
}

/** Relative margin of error of the mean in percent (95%, normal approximation). */
export function relativeMarginOfError(mean: number, sd: number, count: number): number {
  if (count < 2 || mean === 0) return 0;
  return (100 * 1.96 * sd) / Math.sqrt(count) / mean;
}

/** relativeMarginOfError of a sample's own mean and standard deviation. */
export function sampleMarginOfError(values: ArrayLike<number>): number {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  return relativeMarginOfError(mean, Math.sqrt(squares / Math.max(1, n - 1)), n);
}

// The median of per-round ratios and its distribution-free interval: the overhead ratio a row
// carries and the ratio budgets judge.
/** Confidence level of the intervals the budgets judge by (a row's overhead ratio, its rounds' p50). */
export const INTERVAL_CONFIDENCE = 0.95;

export function ascending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

export function median(values: readonly number[]): number {
  const sorted = ascending(values);
  const n = sorted.length;
  if (n === 0) throw new RangeError('median of an empty sample');
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface MedianInterval {
  low: number;
  high: number;
  /** The interval's exact coverage: at least the level asked for, unless there were too few values. */
  confidence: number;
}

/**
 * Distribution-free confidence interval of the median of independent values (the sign test's):
 * the order statistics x(k) and x(n + 1 - k), k the largest with P(Bin(n, 1/2) < k) <= (1 - confidence) / 2,
 * so each side misses with probability at most half the rest. Too few values for the level
 * (fewer than 6 at 95%) give [min, max] and its lower coverage, 1 - 2^(1 - n).
 */
export function medianInterval(values: readonly number[], confidence = 0.95): MedianInterval {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('medianInterval needs 0 < confidence < 1');
  const sorted = ascending(values);
  const n = sorted.length;
  if (n === 0) throw new RangeError('median interval of an empty sample');
  // atK = P(Bin(n, 1/2) = k - 1); below = P(Bin <= k - 1), the chance that x(k) lies above the median.
  let k = 1;
  let atK = 0.5 ** n;
  let below = atK;
  for (;;) {
    const atNext = (atK * (n - k + 1)) / k;
    if (2 * (k + 1) > n + 1 || below + atNext > (1 - confidence) / 2) break;
    atK = atNext;
    below += atNext;
    k++;
  }
  return { low: sorted[k - 1]!, high: sorted[n - k]!, confidence: 1 - 2 * below };
}
