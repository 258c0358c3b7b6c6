// `sessionbench props`: the invariant suite alone, printed to the terminal. With --only, --seed
// and --path it replays one reported failure exactly (the replay command reports print).
import { PROPERTIES, runSuite } from '../properties/index.js';
import type { PropertyResult } from '../properties/engine/result.js';
import { BACKEND_HELP, backendsOf, parseProfile, parseSeed, PROFILE_HELP, STRICT_HELP } from './cli-options.js';
import { failsGate } from '../reports/gates.js';
import type { Progress } from '../benchmarks/progress.js';
import { SetupError } from '../backends/setup-error.js';
import { eachTarget } from './targets.js';

export const PROPS_USAGE = `Usage: sessionbench props [options]

Runs the invariant suite on each backend and prints every property's outcome.

Options:
${BACKEND_HELP}
${PROFILE_HELP}
  --seed <n>             fast-check seed (default: random, printed)
  --only <id>            run only these properties (repeatable, or comma-separated)
  --path <path>          replay one failure: with --seed and a single --only
${STRICT_HELP}
  --help                 this text

Replay a reported failure:
  sessionbench props --backend <name|path> --only <id> --seed <seed> --path <path>

Exit: 0 no critical or major property failed (with --strict: every applicable property passed),
1 one did, 2 a usage or setup error.`;

export const PROPS_OPTIONS = {
  backend: { type: 'string', multiple: true },
  profile: { type: 'string' },
  seed: { type: 'string' },
  only: { type: 'string', multiple: true },
  path: { type: 'string' },
  strict: { type: 'boolean' },
} as const;

interface PropsValues {
  backend?: string[];
  profile?: string;
  seed?: string;
  only?: string[];
  path?: string;
  strict?: boolean;
}

const MARK: Record<PropertyResult['status'], string> = {
  passed: 'ok  ',
  failed: 'FAIL',
  errored: 'ERR ',
  'not-applicable': 'n/a ',
};

function describe(r: PropertyResult): string {
  const lines = [`  ${MARK[r.status]} ${r.id} (${r.runs} runs, ${r.durationMs} ms; ${r.severity})`];
  if (r.status === 'not-applicable' || r.status === 'passed') return lines[0]!;
  lines.push(`       ${r.message}`);
  if (r.status === 'failed') lines.push(`       counterexample: ${r.counterexample}`, `       replay: ${r.replay}`);
  return lines.join('\n');
}

function parseOnly(values: string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const ids = values
    .flatMap((v) => v.split(','))
    .map((id) => id.trim())
    .filter((id) => id !== '');
  const unknown = ids.filter((id) => !PROPERTIES.some((p) => p.id === id));
  if (unknown.length > 0)
    throw new SetupError(`unknown property ${unknown.join(', ')}; known: ${PROPERTIES.map((p) => p.id).join(', ')}`);
  return ids;
}

export async function propsCommand(values: PropsValues, progress: Progress): Promise<number> {
  const profile = parseProfile(values.profile);
  const only = parseOnly(values.only);
  if (values.path !== undefined && (values.seed === undefined || only?.length !== 1)) {
    throw new SetupError('--path replays one failure: give it with --seed and exactly one --only');
  }
  const seed = parseSeed(values.seed);
  const strict = values.strict === true;
  process.stdout.write(`profile ${profile}, seed ${seed}${strict ? ', strict' : ''}\n`);
  return eachTarget(backendsOf(values.backend), progress, async (target, dir) => {
    const name = target.module.name;
    const results = await runSuite(target.module, {
      profile,
      seed,
      dir,
      backend: target.spec,
      ...(only === undefined ? {} : { only }),
      ...(values.path === undefined ? {} : { path: values.path }),
      ...(target.openOptions === undefined ? {} : { openOptions: target.openOptions }),
      ...(target.createManager === undefined ? {} : { createManager: target.createManager }),
      onResult: (r) => progress.line(`${name}: ${r.id} ${r.status}`),
    });
    progress.done();
    const bad = results.filter((r) => r.status === 'failed' || r.status === 'errored');
    const gating = bad.filter((r) => failsGate(r, strict)).length;
    const lenient = bad.length - gating;
    const verdict =
      bad.length === 0
        ? 'passed'
        : `${bad.length} failed${lenient > 0 ? ` (${lenient} minor, failing only with --strict)` : ''}`;
    process.stdout.write(`${name}: ${verdict}\n${results.map(describe).join('\n')}\n`);
    return gating === 0;
  });
}
