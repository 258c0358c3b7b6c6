// Writes the five report files into the report dir (created if missing) and, on GitHub Actions,
// appends the summary to the job summary.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderBenchJson } from './bench-json.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import type { Report } from './report.js';
import { renderSummary } from './summary.js';

export const REPORT_FILES = ['report.json', 'summary.md', 'junit.xml', 'report.html', 'bench.json'] as const;

/** Indented JSON with arrays of numbers on one line: retained samples would otherwise take a line each. */
function reportJson(report: Report): string {
  return `${JSON.stringify(report, null, 2).replace(/\[\s+(-?\d[\d.eE+-]*(?:,\s+-?\d[\d.eE+-]*)*)\s+\]/g, (_, inner: string) => `[${inner.replace(/\s+/g, '')}]`)}\n`;
}

export function writeReports(report: Report, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const summary = renderSummary(report);
  const contents: Record<(typeof REPORT_FILES)[number], string> = {
    'report.json': reportJson(report),
    'summary.md': summary,
    'junit.xml': renderJunit(report),
    'report.html': renderHtml(report),
    'bench.json': renderBenchJson(report),
  };
  const written = REPORT_FILES.map((name) => {
    const file = join(dir, name);
    writeFileSync(file, contents[name]);
    return file;
  });
  const stepSummary = process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary !== undefined && stepSummary !== '') appendFileSync(stepSummary, `${summary}\n`);
  return written;
}
