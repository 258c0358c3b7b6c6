// `sessionbench bench`: the latency benchmark alone, as a table on stdout (progress on stderr).
import type { Progress } from '../benchmarks/progress.js';
import { type BenchmarkRow, runBenchmarks } from '../benchmarks/index.js';
import { OPS } from '../benchmarks/workloads.js';
import { formatUs, rowConditions } from '../reports/format.js';
import { BACKEND_HELP, backendsOf, parseProfile, PROFILE_HELP } from './cli-options.js';
import { SetupError } from './setup-error.js';
import { benchTarget, eachTarget } from './targets.js';

export const BENCH_USAGE = `Usage: sessionbench bench [options]

Measures every operation on each backend, beside its raw driver (reference backends), and
prints p50/p95/p99/p99.9/max, ops/s and the overhead ratio.

Options:
${BACKEND_HELP}
${PROFILE_HELP}
  --op <name>            only these operations (repeatable; default: all)
  --help                 this text

Exit: 0 measured, 1 a backend could not be measured, 2 a usage or setup error.`;

export const BENCH_OPTIONS = {
  backend: { type: 'string', multiple: true },
  profile: { type: 'string' },
  op: { type: 'string', multiple: true },
} as const;

const HEADER = ['backend', 'driver', 'op', 'conditions', 'p50 µs', 'p95 µs', 'p99 µs', 'p99.9 µs', 'max µs', 'ops/s', 'samples', 'overhead'];

function cells(r: BenchmarkRow): string[] {
  return [
    r.backend,
    r.driver,
    r.op,
    rowConditions(r),
    ...[r.p50Us, r.p95Us, r.p99Us, r.p999Us, r.maxUs].map(formatUs),
    String(Math.round(r.opsPerSec)),
    String(r.samples),
    r.overheadRatio === null ? '–' : `${r.overheadRatio.toFixed(2)}x`,
  ];
}

export function benchTable(rows: readonly BenchmarkRow[]): string {
  const lines = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  // Text columns left-aligned, figures right-aligned.
  return lines.map((l) => l.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export async function benchCommand(values: { backend?: string[]; profile?: string; op?: string[] }, progress: Progress): Promise<number> {
  const profile = parseProfile(values.profile);
  const unknown = (values.op ?? []).filter((op) => !(OPS as readonly string[]).includes(op));
  if (unknown.length > 0) throw new SetupError(`unknown op ${unknown.join(', ')}; known: ${OPS.join(', ')}`);
  return eachTarget(backendsOf(values.backend), progress, async (target, dir) => {
    let rows: BenchmarkRow[];
    try {
      rows = await runBenchmarks([benchTarget(target)], { profile, dir, ...(values.op === undefined ? {} : { ops: values.op }), onProgress: (line) => progress.line(line) });
    } catch (err) {
      process.stdout.write(`${target.module.name}: the benchmark could not run: ${(err as Error).message}\n`);
      return false;
    }
    progress.done();
    process.stdout.write(`${benchTable(rows)}\n\n`);
    return true;
  });
}
