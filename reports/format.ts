// The regression figures' formatting shared by every report writer, so a compared row reads the
// same in summary.md, junit.xml, report.html and the compare table. A row's own numbers and
// conditions are formatted by benchmarks/format.ts, which the console table shares.
import { formatUs, rowConditions } from '../benchmarks/format.js';
import type { RegressionRow } from './report.js';

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

export const REGRESSION_HEADER = [
  'Backend',
  'Driver',
  'Op',
  'Conditions',
  'Baseline p50 µs',
  'Current p50 µs',
  'Change',
  'CI',
  'p (Holm)',
  'Verdict',
];

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
