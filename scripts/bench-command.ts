// `sessionbench bench`: the latency benchmark alone, as a table on stdout (progress on stderr).
import type { Progress } from '../benchmarks/progress.js';
import { type BenchmarkRow, runBenchmarks } from '../benchmarks/index.js';
import { OPS } from '../benchmarks/workloads.js';
import { formatTable } from '../benchmarks/console-table.js';
import { BACKEND_HELP, backendsOf, parseProfile, PROFILE_HELP } from './cli-options.js';
import { SetupError } from '../backends/setup-error.js';
import { benchTarget, eachTarget } from './targets.js';

export const BENCH_USAGE = `Usage: sessionbench bench [options]

Measures every operation on each backend, beside its raw driver (reference backends), and
prints p50/p95/p99/p99.9/max, ops/s and the overhead ratio.

Options:
${BACKEND_HELP}
${PROFILE_HELP}
  --op <name>            only these operations (repeatable; default: all)
  --workers <n>          processes driving a networked store at 64+ in flight (default: one per
                         core but one, at most 4; 1: everything in this process)
  --help                 this text

Exit: 0 measured, 1 a backend could not be measured, 2 a usage or setup error.`;

export const BENCH_OPTIONS = {
  backend: { type: 'string', multiple: true },
  profile: { type: 'string' },
  op: { type: 'string', multiple: true },
  workers: { type: 'string' },
} as const;

export async function benchCommand(
  values: { backend?: string[]; profile?: string; op?: string[]; workers?: string },
  progress: Progress,
): Promise<number> {
  const profile = parseProfile(values.profile);
  const unknown = (values.op ?? []).filter((op) => !(OPS as readonly string[]).includes(op));
  if (unknown.length > 0) throw new SetupError(`unknown op ${unknown.join(', ')}; known: ${OPS.join(', ')}`);
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && !(Number.isSafeInteger(workers) && workers >= 1))
    throw new SetupError(`--workers must be a positive integer, got ${values.workers}`);
  return eachTarget(backendsOf(values.backend), progress, async (target, dir) => {
    let rows: BenchmarkRow[];
    try {
      rows = await runBenchmarks([benchTarget(target)], {
        profile,
        dir,
        ...(values.op === undefined ? {} : { ops: values.op }),
        ...(workers === undefined ? {} : { workers }),
        onProgress: (line) => progress.line(line),
      });
    } catch (err) {
      process.stdout.write(`${target.module.name}: the benchmark could not run: ${(err as Error).message}\n`);
      return false;
    }
    progress.done();
    process.stdout.write(`${formatTable(rows)}\n`);
    return true;
  });
}
