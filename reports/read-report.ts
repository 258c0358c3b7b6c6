// Reads a report.json written by an earlier run (a --baseline, or an input of `compare`).
// Only what the regression gate needs is checked; a report of another schema version is refused
// rather than misread.
import { readFileSync } from 'node:fs';
import type { BenchmarkRow } from '../benchmarks/result.js';
import { type Report, SCHEMA_VERSION } from './report.js';

export function readReport(file: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`cannot read report ${file}: ${e.code ?? e.message}`);
  }
  const report = data as Partial<Report> | null;
  if (report?.schemaVersion !== SCHEMA_VERSION) {
    throw new Error(
      `${file} is not a sessionbench report of schema version ${SCHEMA_VERSION} (schemaVersion ${JSON.stringify(report?.schemaVersion)})`,
    );
  }
  if (!Array.isArray(report.backends) || !report.backends.every((b) => Array.isArray(b?.benchmarks))) {
    throw new Error(`${file} has no backends[].benchmarks`);
  }
  return report as Report;
}

export function benchmarkRows(report: Report): BenchmarkRow[] {
  return report.backends.flatMap((b) => b.benchmarks);
}
