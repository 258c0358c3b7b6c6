// How a benchmark row's numbers and conditions read, in the console table and the progress lines
// here and in every report writer above (reports/format.ts adds the regression figures), so the
// same row reads the same everywhere.
import type { BenchmarkRow } from './result.js';

type Conditions = Pick<BenchmarkRow, 'datasetSize' | 'payloadBytes' | 'concurrency' | 'mode'> & { workers?: number };

/** Worker processes show only when there were several: "c=64 w=2" is 64 in flight from 2 processes. */
export function conditionsText(row: Conditions): string {
  const workers = (row.workers ?? 1) > 1 ? ` w=${row.workers}` : '';
  return `n=${row.datasetSize} ${row.payloadBytes}B c=${row.concurrency}${workers} ${row.mode}`;
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
