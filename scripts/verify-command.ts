// `sessionbench verify`: options and output around verify() (scripts/verify.ts).
import { DEFAULT_MIN_EFFECT } from '../reports/regression.js';
import {
  BACKEND_HELP,
  backendsOf,
  parseFraction,
  parseProfile,
  parseSeed,
  PROFILE_HELP,
  requireAll,
  STRICT_HELP,
} from './cli-options.js';
import type { Progress } from '../benchmarks/progress.js';
import { SetupError } from '../backends/setup-error.js';
import { verify } from './verify.js';

export const DEFAULT_REPORT_DIR = 'reports/latest';

export const VERIFY_USAGE = `Usage: sessionbench verify [options]

Runs the invariant suite and the benchmark on each backend, writes report.json, summary.md,
junit.xml, report.html and bench.json, and applies the gates (properties, budgets, regression,
and the reliability gates when the fault scenarios run).

Options:
${BACKEND_HELP}
${PROFILE_HELP}
  --report-dir <dir>     where the reports go (default: ${DEFAULT_REPORT_DIR}; created if missing)
  --budgets <file>       latency budgets (default: reports/budgets.default.json)
  --baseline <file>      a report.json to compare the benchmark with (regression gate)
  --min-effect <ratio>   smallest slowdown the regression gate fails on (default ${DEFAULT_MIN_EFFECT})
  --skip-bench           run the invariant suite only
  --skip-props           run the benchmark only
  --reliability          run the fault scenarios (crashes, corruption, Redis and PostgreSQL faults,
                         two processes on one store, hostile input; sqlite+aes cost outside quick):
                         on by default in standard and thorough, off in quick (about a minute)
  --skip-reliability     don't run them in any profile
                         (with --backend redis-cluster the failover run always runs: it is that
                         backend's reliability gate, on a cluster of its own, ~20 s; in standard
                         and thorough also the network partitions, as root with ip, a few minutes)
  --seed <n>             fast-check seed (default: random, recorded in the report)
${STRICT_HELP}
  --help                 this text

A backend named with --backend that can't be had here (no Redis) fails the run; in a run
without --backend it is reported skipped, with the reason. A run in which no gate passed
(nothing verified) fails.

Environment: SESSIONBENCH_REQUIRE_REDIS=1 (SESSIONBENCH_REQUIRE_POSTGRES=1) fails the run when no
Redis (PostgreSQL) can be had, also without --backend; REDIS_URL names the Redis to use, DATABASE_URL
the PostgreSQL (else 127.0.0.1:5432 database test, else a private server started for the run);
GITHUB_STEP_SUMMARY, when set, gets summary.md appended.

Exit: 0 every gate held, 1 a gate failed, 2 a usage or setup error.`;

export const VERIFY_OPTIONS = {
  backend: { type: 'string', multiple: true },
  profile: { type: 'string' },
  'report-dir': { type: 'string' },
  budgets: { type: 'string' },
  baseline: { type: 'string' },
  'min-effect': { type: 'string' },
  'skip-bench': { type: 'boolean' },
  'skip-props': { type: 'boolean' },
  reliability: { type: 'boolean' },
  'skip-reliability': { type: 'boolean' },
  seed: { type: 'string' },
  strict: { type: 'boolean' },
} as const;

interface VerifyValues {
  backend?: string[];
  profile?: string;
  'report-dir'?: string;
  budgets?: string;
  baseline?: string;
  'min-effect'?: string;
  'skip-bench'?: boolean;
  'skip-props'?: boolean;
  reliability?: boolean;
  'skip-reliability'?: boolean;
  seed?: string;
  strict?: boolean;
}

function reliabilityOf(values: VerifyValues): boolean | undefined {
  if (values.reliability === true && values['skip-reliability'] === true)
    throw new SetupError('--reliability and --skip-reliability contradict each other');
  if (values.reliability === true) return true;
  return values['skip-reliability'] === true ? false : undefined;
}

export async function verifyCommand(values: VerifyValues, progress: Progress): Promise<number> {
  const reliability = reliabilityOf(values);
  const { report, files } = await verify({
    backends: backendsOf(values.backend),
    profile: parseProfile(values.profile),
    seed: parseSeed(values.seed),
    strict: values.strict === true,
    reportDir: values['report-dir'] ?? DEFAULT_REPORT_DIR,
    ...(values.budgets === undefined ? {} : { budgetsFile: values.budgets }),
    ...(values.baseline === undefined ? {} : { baselineFile: values.baseline }),
    minEffect: parseFraction('--min-effect', values['min-effect'], DEFAULT_MIN_EFFECT),
    skipBench: values['skip-bench'] === true,
    skipProps: values['skip-props'] === true,
    ...(reliability === undefined ? {} : { reliability }),
    requireAll: requireAll(values.backend),
    progress,
  });
  const failed = report.gates.filter((g) => g.status === 'failed').length;
  const lines = report.gates.map((g) => `${g.status.padEnd(7)} ${g.backend} ${g.name}: ${g.detail}`);
  const outcome =
    report.status === 'nothing-verified' ? 'failed: nothing was verified (no gate passed)' : report.status;
  lines.push(
    '',
    `verify ${outcome}${failed > 0 ? ` (${failed} gate${failed > 1 ? 's' : ''} failed)` : ''}; reports in ${files.join(', ')}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return report.status === 'passed' ? 0 : 1;
}
