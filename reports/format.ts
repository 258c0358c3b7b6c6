// Number and condition formatting shared by every report writer, so the same row reads the
// same in summary.md, junit.xml, report.html and the compare table.
import type { BenchmarkRow } from '../benchmarks/result.js';
import type { RegressionRow } from './report.js';

type Conditions = Pick<BenchmarkRow, 'datasetSize' | 'payloadBytes' | 'concurrency' | 'mode'>;

export function conditionsText(row: Conditions): string {
  return `n=${row.datasetSize} ${row.payloadBytes}B c=${row.concurrency} ${row.mode}`;
}

/** The conditions with an open-loop row's arrival rate: what tells two rows of one op apart. */
export function rowConditions(row: Conditions & { arrivalRate?: number }): string {
  return row.arrivalRate === undefined ? conditionsText(row) : `${conditionsText(row)} @${row.arrivalRate}/s`;
}

/** Microseconds with about three significant digits. */
export function formatUs(us: number | null | undefined): string {
  if (us === null || us === undefined) return '–';
  if (us >= 100) return `${Math.round(us)}`;
  if (us >= 10) return us.toFixed(1);
  return us.toFixed(2);
}

/** A signed relative change: 0.123 -> "+12.3%". */
export function formatChange(ratio: number | null): string {
  if (ratio === null) return '–';
  const pct = ratio * 100;
  return `${pct >= 0 ? '+' : '−'}${Math.abs(pct).toFixed(1)}%`;
}

export function formatP(p: number | null): string {
  if (p === null) return '–';
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

export const REGRESSION_HEADER = ['Backend', 'Driver', 'Op', 'Conditions', 'Baseline p50 µs', 'Current p50 µs', 'Change', 'CI', 'p (Holm)', 'Verdict'];

/** One regression row as table cells, in REGRESSION_HEADER's order. */
export function regressionCells(r: RegressionRow): string[] {
  return [
    r.backend,
    r.driver,
    r.op,
    rowConditions(r),
    formatUs(r.baselineP50Us),
    formatUs(r.currentP50Us),
    formatChange(r.change),
    r.changeLow === null ? '–' : `${formatChange(r.changeLow)} .. ${formatChange(r.changeHigh)}`,
    formatP(r.pAdjusted),
    r.note === undefined ? r.verdict : `${r.verdict} (${r.note})`,
  ];
}
