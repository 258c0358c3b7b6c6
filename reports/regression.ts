// The regression gate: each benchmark row of the current run against the same row of a
// baseline report, on the retained latency samples. Mann–Whitney decides whether the two
// distributions differ, Holm keeps the family-wise error at alpha across all rows, and the
// Hodges–Lehmann shift says by how much (with a distribution-free confidence interval).
//
// A row is 'slower' or 'faster' only when the change is both significant and larger than the
// minimum effect. With thousands of samples per row, Mann–Whitney finds the few percent two runs
// of the same code differ by (another process on the machine, CPU frequency, heap layout)
// significant: significance alone would call most rows of an unchanged build slower or faster.
// Such rows are reported as no significant change, their p and interval still shown.
import type { BenchmarkRow } from '../benchmarks/result.js';
import type { RegressionRow, RegressionSummary } from './report.js';
import { median } from '../benchmarks/stats.js';
import { hodgesLehmann, holm, mannWhitneyU } from './stats.js';

export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_MIN_EFFECT = 0.1;
/** Below this many samples per side the normal approximation of U is not trusted. */
export const MIN_SAMPLES = 20;

export interface RegressionOptions {
  /** Where the baseline came from, for the report. */
  baseline: string;
  alpha?: number;
  /** Smallest relative slowdown that fails the gate (0.1: 10%). */
  minEffect?: number;
}

/** An open-loop row at another arrival rate measured something else: the rate is part of the key. */
const KEY_FIELDS = [
  'backend',
  'driver',
  'op',
  'datasetSize',
  'payloadBytes',
  'concurrency',
  'mode',
  'arrivalRate',
] as const;

/**
 * Rows match when they measured the same thing under the same conditions; load from several
 * processes is another condition than load from one (a report without workers drove from one).
 */
function rowKey(row: BenchmarkRow): string {
  return JSON.stringify([...KEY_FIELDS.map((field) => row[field]), row.workers ?? 1]);
}

function identity(row: BenchmarkRow): Pick<RegressionRow, (typeof KEY_FIELDS)[number]> {
  const { backend, driver, op, datasetSize, payloadBytes, concurrency, mode, arrivalRate } = row;
  return {
    backend,
    driver,
    op,
    datasetSize,
    payloadBytes,
    concurrency,
    mode,
    ...(arrivalRate === undefined ? {} : { arrivalRate }),
  };
}

function notCompared(row: BenchmarkRow, side: 'baseline' | 'current', note: string): RegressionRow {
  return {
    ...identity(row),
    baselineP50Us: side === 'baseline' ? row.p50Us : null,
    currentP50Us: side === 'current' ? row.p50Us : null,
    change: null,
    changeLow: null,
    changeHigh: null,
    p: null,
    pAdjusted: null,
    verdict: 'not compared',
    status: 'skipped',
    note,
  };
}

function test(base: BenchmarkRow, current: BenchmarkRow, confidence: number): RegressionRow {
  const x = base.samplesUs ?? [];
  const y = current.samplesUs ?? [];
  if (x.length < MIN_SAMPLES || y.length < MIN_SAMPLES) {
    return {
      ...notCompared(current, 'current', `too few retained samples (${x.length} vs ${y.length}, need ${MIN_SAMPLES})`),
      baselineP50Us: base.p50Us,
    };
  }
  const scale = median(x);
  const { p } = mannWhitneyU(x, y);
  const { shift, lower, upper } = hodgesLehmann(x, y, confidence);
  return {
    ...identity(current),
    baselineP50Us: base.p50Us,
    currentP50Us: current.p50Us,
    change: shift / scale,
    changeLow: lower / scale,
    changeHigh: upper / scale,
    p,
    pAdjusted: null,
    verdict: 'no significant change',
    status: 'passed',
  };
}

export function compareBenchmarks(
  baseline: readonly BenchmarkRow[],
  current: readonly BenchmarkRow[],
  options: RegressionOptions,
): RegressionSummary {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const minEffect = options.minEffect ?? DEFAULT_MIN_EFFECT;
  const byKey = new Map(baseline.map((row) => [rowKey(row), row]));
  const rows: RegressionRow[] = [];
  for (const row of current) {
    const base = byKey.get(rowKey(row));
    byKey.delete(rowKey(row));
    rows.push(base === undefined ? notCompared(row, 'current', 'not in the baseline') : test(base, row, 1 - alpha));
  }
  for (const row of byKey.values()) rows.push(notCompared(row, 'baseline', 'not in the current run'));

  const tested = rows.filter((row) => row.p !== null);
  const adjusted = holm(tested.map((row) => row.p!));
  tested.forEach((row, i) => {
    row.pAdjusted = adjusted[i]!;
    const change = row.change!;
    if (row.pAdjusted >= alpha || Math.abs(change) <= minEffect) return;
    row.verdict = change > 0 ? 'slower' : 'faster';
    if (row.verdict === 'slower') row.status = 'failed';
  });
  return { baseline: options.baseline, alpha, minEffect, rows };
}
