// `sessionbench compare <baseline.json> <current.json>`: the regression table of verify --baseline
// for two existing reports; exit 1 when a row is significantly slower by more than the minimum effect.
import { regressionGate } from '../reports/gates.js';
import { benchmarkRows, readReport } from '../reports/read-report.js';
import { compareBenchmarks, DEFAULT_ALPHA, DEFAULT_MIN_EFFECT } from '../reports/regression.js';
import { regressionTable } from '../reports/summary.js';
import { parseFraction } from './cli-options.js';
import { SetupError } from '../backends/setup-error.js';

export const COMPARE_USAGE = `Usage: sessionbench compare <baseline.json> <current.json> [options]

Compares the benchmark rows of two report.json files: Mann–Whitney U on the retained samples,
Holm-corrected across rows, Hodges–Lehmann change with its confidence interval.

Options:
  --min-effect <ratio>   smallest slowdown that fails (default ${DEFAULT_MIN_EFFECT}: ${DEFAULT_MIN_EFFECT * 100}%)
  --alpha <p>            significance level (default ${DEFAULT_ALPHA})
  --help                 this text

Exit: 0 no significant regression, 1 a regression, 2 a usage error.`;

export const COMPARE_OPTIONS = {
  'min-effect': { type: 'string' },
  alpha: { type: 'string' },
} as const;

export function compareCommand(values: { 'min-effect'?: string; alpha?: string }, positionals: string[]): number {
  if (positionals.length !== 2) throw new SetupError('compare needs two report files: <baseline.json> <current.json>');
  const [baselineFile, currentFile] = positionals as [string, string];
  const minEffect = parseFraction('--min-effect', values['min-effect'], DEFAULT_MIN_EFFECT);
  const alpha = parseFraction('--alpha', values.alpha, DEFAULT_ALPHA);
  let baseline;
  let current;
  try {
    baseline = readReport(baselineFile);
    current = readReport(currentFile);
  } catch (err) {
    throw new SetupError((err as Error).message);
  }
  const summary = compareBenchmarks(benchmarkRows(baseline), benchmarkRows(current), {
    baseline: baselineFile,
    minEffect,
    alpha,
  });
  const backends = [...new Set(summary.rows.map((r) => r.backend))];
  const gates = backends.map((b) => regressionGate(b, summary));
  process.stdout.write(
    `${regressionTable(summary)}\n\n${gates.map((g) => `${g.status.padEnd(7)} ${g.backend}: ${g.detail}`).join('\n')}\n`,
  );
  return gates.some((g) => g.status === 'failed') ? 1 : 0;
}
