// Reads a report.json written by an earlier run (a --baseline, or an input of `compare`).
// Only what the regression gate needs is checked; a report of another schema version is refused
// rather than misread. Version 2 only added optional fields, so a version 1 report reads as one.
import { readFileSync } from 'node:fs';
import type { BenchmarkRow } from '../benchmarks/result.js';
import { type Report, SCHEMA_VERSION } from './report.js';

const READABLE_VERSIONS = [1, SCHEMA_VERSION];

export function readReport(file: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`cannot read report ${file}: ${e.code ?? e.message}`);
  }
  const report = data as (Partial<Omit<Report, 'schemaVersion'>> & { schemaVersion?: unknown }) | null;
  if (report === null || !READABLE_VERSIONS.includes(report?.schemaVersion as number)) {
    throw new Error(
      `${file} is not a sessionbench report of schema version ${READABLE_VERSIONS.join(' or ')} (schemaVersion ${JSON.stringify(report?.schemaVersion)})`,
    );
  }
  if (!Array.isArray(report.backends) || !report.backends.every((b) => Array.isArray(b?.benchmarks))) {
    throw new Error(`${file} has no backends[].benchmarks`);
  }
  return { ...report, schemaVersion: SCHEMA_VERSION } as Report;
}

export function benchmarkRows(report: Report): BenchmarkRow[] {
  return report.backends.flatMap((b) => b.benchmarks);
}
