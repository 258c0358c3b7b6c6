#!/usr/bin/env node
// The sessionbench command line: verify, props, bench, compare. Runs the same from the sources
// (`tsx scripts/cli.ts`, `npm run verify`) and from dist/ (the package's bin).
// Exit codes: 0 every gate held, 1 a gate failed, 2 a usage or setup error (one line on stderr).
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BENCH_OPTIONS, BENCH_USAGE, benchCommand } from './bench-command.js';
import { COMPARE_OPTIONS, COMPARE_USAGE, compareCommand } from './compare-command.js';
import { createProgress } from '../benchmarks/progress.js';
import { PROPS_OPTIONS, PROPS_USAGE, propsCommand } from './props-command.js';
import { SetupError } from '../backends/setup-error.js';
import { VERIFY_OPTIONS, VERIFY_USAGE, verifyCommand } from './verify-command.js';

const USAGE = `Usage: sessionbench <command> [options]

Commands:
  verify     run the invariant suite and the benchmark, write reports, apply the gates
  props      run the invariant suite (and replay a reported failure)
  bench      run the latency benchmark
  compare    compare the benchmark rows of two report.json files

Run 'sessionbench <command> --help' for its options.`;

interface Command {
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  positionals: boolean;
  run(values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

const progress = createProgress();

const COMMANDS: Record<string, Command> = {
  verify: { usage: VERIFY_USAGE, options: VERIFY_OPTIONS, positionals: false, run: (v) => verifyCommand(v, progress) },
  props: { usage: PROPS_USAGE, options: PROPS_OPTIONS, positionals: false, run: (v) => propsCommand(v, progress) },
  bench: { usage: BENCH_USAGE, options: BENCH_OPTIONS, positionals: false, run: (v) => benchCommand(v, progress) },
  compare: {
    usage: COMPARE_USAGE,
    options: COMPARE_OPTIONS,
    positionals: true,
    run: async (v, p) => compareCommand(v, p),
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (name === undefined)
    throw new SetupError("no command given (verify, props, bench, compare; 'sessionbench --help' for usage)");
  const command = COMMANDS[name];
  if (command === undefined)
    throw new SetupError(`unknown command ${name} (verify, props, bench, compare; 'sessionbench --help' for usage)`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.positionals,
      strict: true,
    });
  } catch (err) {
    throw new SetupError(`${(err as Error).message} ('sessionbench ${name} --help' for usage)`);
  }
  if (parsed.values.help === true) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(parsed.values, parsed.positionals);
}

/** The benchmark collects garbage before each measurement; give it gc() without a node flag. */
function exposeGc(): void {
  const global = globalThis as { gc?: () => void };
  if (typeof global.gc === 'function') return;
  setFlagsFromString('--expose-gc');
  global.gc = runInNewContext('gc') as () => void;
}

exposeGc();
// Exit explicitly: a plug-in may leave a handle (a socket, a timer) that would keep the process up.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    progress.done();
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`sessionbench: ${message.split('\n')[0]}\n`);
    if (!(err instanceof SetupError) && process.env.SESSIONBENCH_DEBUG === '1')
      process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(2);
  },
);
