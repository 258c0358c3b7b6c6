// The figures a reader compares first: each operation at 1 in flight, closed loop, on the
// smallest payload and dataset measured (the default conditions), through the backend.
import type { BenchmarkRow } from '../benchmarks/result.js';

/** The operations summary.md puts in its table, by the benchmark's op names. */
export const HEADLINE_OPS = { fetch: 'fetch-hit', store: 'create', touch: 'touch' } as const;

function isHeadline(row: BenchmarkRow): boolean {
  return row.driver === 'backend' && row.concurrency === 1 && row.mode === 'closed-loop';
}

function byConditions(a: BenchmarkRow, b: BenchmarkRow): number {
  return a.payloadBytes - b.payloadBytes || a.datasetSize - b.datasetSize;
}

/** One row per op (in first-seen order) at the headline conditions. */
export function headlineRows(rows: readonly BenchmarkRow[]): BenchmarkRow[] {
  const best = new Map<string, BenchmarkRow>();
  for (const row of rows.filter(isHeadline)) {
    const current = best.get(row.op);
    if (current === undefined || byConditions(row, current) < 0) best.set(row.op, row);
  }
  return [...best.values()];
}

export function headlineRow(rows: readonly BenchmarkRow[], op: string): BenchmarkRow | undefined {
  return headlineRows(rows).find((row) => row.op === op);
}
