// bench.json in github-action-benchmark's customSmallerIsBetter format: one entry per
// benchmark row and percentile, named stably so a history can follow each series (an open-loop
// row's arrival rate goes in extra: it follows the machine's throughput).
import type { BenchmarkRow } from '../benchmarks/result.js';
import { conditionsText } from '../benchmarks/format.js';
import type { Report } from './report.js';

export interface BenchEntry {
  name: string;
  unit: string;
  value: number;
  extra?: string;
}

function entries(row: BenchmarkRow): BenchEntry[] {
  const name = `${row.backend}${row.driver === 'raw' ? ' (raw)' : ''} ${row.op} ${conditionsText(row)}`;
  const rate = row.arrivalRate === undefined ? '' : `arrival ${row.arrivalRate}/s, `;
  const extra =
    `${rate}samples ${row.samples}, ops/s ${Math.round(row.opsPerSec)}, rme ${row.rme.toFixed(2)}%` +
    (row.overheadRatio === null ? '' : `, overhead ${row.overheadRatio.toFixed(2)}x`);
  return [
    { name: `${name} p50`, unit: 'us', value: row.p50Us, extra },
    { name: `${name} p99`, unit: 'us', value: row.p99Us, extra },
  ];
}

export function renderBenchJson(report: Report): string {
  return `${JSON.stringify(
    report.backends.flatMap((b) => b.benchmarks.flatMap(entries)),
    null,
    2,
  )}\n`;
}
