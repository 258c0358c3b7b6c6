// The benchmark rows as a plain-text table for a terminal or a CI log.
import { formatUs } from './format.js';
import type { BenchmarkRow } from './result.js';

const COLUMNS: [header: string, cell: (row: BenchmarkRow) => string, alignLeft?: boolean][] = [
  ['backend', (r) => r.backend, true],
  ['driver', (r) => r.driver, true],
  ['op', (r) => r.op, true],
  ['n', (r) => String(r.datasetSize)],
  ['payload', (r) => `${r.payloadBytes}B`],
  ['c', (r) => String(r.concurrency)],
  ['w', (r) => String(r.workers ?? 1)],
  ['mode', (r) => (r.arrivalRate === undefined ? r.mode : `${r.mode} @${r.arrivalRate}/s`), true],
  ['p50 µs', (r) => formatUs(r.p50Us)],
  ['p95 µs', (r) => formatUs(r.p95Us)],
  ['p99 µs', (r) => formatUs(r.p99Us)],
  ['p999 µs', (r) => formatUs(r.p999Us)],
  ['max µs', (r) => formatUs(r.maxUs)],
  ['ops/s', (r) => String(Math.round(r.opsPerSec))],
  ['samples', (r) => String(r.samples)],
  ['±rme', (r) => `${r.rme.toFixed(1)}%`],
  ['×raw', (r) => (r.overheadRatio === null ? '–' : r.overheadRatio.toFixed(2))],
];

export function formatTable(rows: readonly BenchmarkRow[]): string {
  const cells = [COLUMNS.map(([header]) => header), ...rows.map((row) => COLUMNS.map(([, cell]) => cell(row)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  const render = (line: string[]): string =>
    line
      .map((text, i) => (COLUMNS[i]![2] ? text.padEnd(widths[i]!) : text.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const [header, ...body] = cells;
  return [render(header!), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(render)].join('\n') + '\n';
}
