// The CLI end to end, in child processes: help, usage errors, plug-in loading, a correct and a
// faulty plug-in, and replaying a reported failure from the command the report prints.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PassThrough } from 'node:stream';
import { createProgress } from '../benchmarks/progress.js';
import { parseFraction, parseSeed, requireAll } from '../scripts/cli-options.js';
import { propsCommand } from '../scripts/props-command.js';
import { SetupError } from '../backends/setup-error.js';
import { serverRequired } from '../backends/servers/provide.js';
import { verify } from '../scripts/verify.js';
import { runCli, startCli } from './run-cli.js';

const FIXTURES = 'test/plugin-fixtures';
const scratch = mkdtempSync(join(tmpdir(), 'sessionbench-cli-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A usage or setup error: exit 2, one line on stderr naming the problem, nothing run. */
function assertSetupError(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${result.stderr}`);
  assert.match(lines[0]!, /^sessionbench: /);
  assert.match(lines[0]!, pattern);
}

describe('help and usage errors', { concurrency: true }, () => {
  for (const command of ['verify', 'props', 'bench', 'compare']) {
    test(`${command} --help`, async () => {
      const r = await runCli([command, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Usage: sessionbench ${command}`));
      assert.match(r.stdout, /Exit: 0 /);
      if (command !== 'compare') assert.match(r.stdout, /--backend <name\|path>/);
      if (command === 'verify') assert.match(r.stdout, /--reliability .*\n.*\n.*off in quick/);
    });
  }

  test('the top-level help lists the commands', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    for (const command of ['verify', 'props', 'bench', 'compare'])
      assert.match(r.stdout, new RegExp(`^  ${command} `, 'm'));
  });

  test('bad commands and options exit 2 with one line', async () => {
    const cases: [string[], RegExp][] = [
      [[], /no command/],
      [['frobnicate'], /unknown command frobnicate/],
      [['verify', '--no-such-option'], /Unknown option '--no-such-option'/],
      [['verify', '--profile', 'fast'], /--profile must be one of quick, standard, thorough/],
      [['props', '--only', 'no-such-property'], /unknown property no-such-property/],
      [['bench', '--op', 'teleport'], /unknown op teleport/],
      [['verify', '--backend', 'mongodb'], /unknown backend mongodb/],
      [['verify', '--reliability', '--skip-reliability'], /--reliability and --skip-reliability contradict each other/],
      [['verify', '--budgets', 'no/such/budgets.json'], /cannot read budgets file no\/such\/budgets.json: ENOENT/],
      [['compare', 'only-one.json'], /compare needs two report files/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    results.forEach((r, i) => assertSetupError(r, cases[i]![1]));
  });
});

describe('option checks', () => {
  // The same checks in-process: each is a SetupError, which the CLI turns into exit 2.
  const progress = createProgress(undefined, new PassThrough() as unknown as NodeJS.WriteStream);
  const base = {
    backends: ['memory'],
    profile: 'quick' as const,
    seed: 1,
    reportDir: join(scratch, 'never'),
    skipBench: false,
    skipProps: false,
    strict: false,
    requireAll: false,
    progress,
  };

  test('seeds, fractions and the replay flags', async () => {
    assert.throws(() => parseSeed('abc'), SetupError);
    assert.throws(() => parseSeed(String(2 ** 32)), SetupError);
    assert.equal(parseSeed('-5'), -5);
    assert.throws(() => parseFraction('--min-effect', '2', 0.1), /--min-effect must be a number in \[0, 1\)/);
    assert.equal(parseFraction('--min-effect', undefined, 0.1), 0.1);
    await assert.rejects(propsCommand({ only: ['round-trip'], path: '1:2' }, progress), /--path replays one failure/);
  });

  test('a backend is required when named with --backend or its server is (SESSIONBENCH_REQUIRE_<SERVER>=1), else skipped when absent', () => {
    assert.equal(requireAll(undefined), false);
    assert.equal(requireAll([]), false);
    assert.equal(requireAll(['redis']), true);
    const saved = process.env.SESSIONBENCH_REQUIRE_POSTGRES;
    try {
      process.env.SESSIONBENCH_REQUIRE_POSTGRES = '1';
      assert.equal(serverRequired('postgres'), true);
      process.env.SESSIONBENCH_REQUIRE_POSTGRES = '0';
      assert.equal(serverRequired('postgres'), false);
      assert.equal(serverRequired('redis'), process.env.SESSIONBENCH_REQUIRE_REDIS === '1');
    } finally {
      if (saved === undefined) delete process.env.SESSIONBENCH_REQUIRE_POSTGRES;
      else process.env.SESSIONBENCH_REQUIRE_POSTGRES = saved;
    }
  });

  test('a run without --backend keeps an absent Redis skipped, but one that verified nothing does not pass', async () => {
    // In-process, as the CLI runs verify without --backend (requireAll false); no other test of this file runs meanwhile.
    const saved = process.env.REDIS_URL;
    const savedRequire = process.env.SESSIONBENCH_REQUIRE_REDIS;
    process.env.REDIS_URL = 'redis://127.0.0.1:1';
    delete process.env.SESSIONBENCH_REQUIRE_REDIS; // CI sets it: then the absent Redis fails the run
    try {
      const reportDir = join(scratch, 'nothing-verified');
      const { report } = await verify({ ...base, backends: ['redis'], skipBench: true, reportDir });
      assert.equal(report.backends[0]!.status, 'skipped');
      assert.deepEqual(
        report.gates.map((g) => [g.name, g.status]),
        [['availability', 'skipped']],
      );
      assert.equal(report.status, 'nothing-verified');
      assert.match(
        readFileSync(join(reportDir, 'summary.md'), 'utf8'),
        /^# sessionbench verify: ❌ nothing-verified$/m,
      );
    } finally {
      if (saved === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = saved;
      if (savedRequire !== undefined) process.env.SESSIONBENCH_REQUIRE_REDIS = savedRequire;
    }
  });

  test('verify refuses contradictory or unreadable setups before running anything', async () => {
    await assert.rejects(verify({ ...base, skipBench: true, skipProps: true }), /nothing to verify/);
    await assert.rejects(
      verify({ ...base, skipBench: true, baselineFile: 'x.json' }),
      /--baseline compares benchmark rows/,
    );
    await assert.rejects(
      verify({ ...base, baselineFile: 'no/such/report.json' }),
      (err) => err instanceof SetupError && /cannot read report no\/such\/report.json/.test(err.message),
    );
    assert.equal(existsSync(base.reportDir), false, 'nothing was written');
  });
});

describe('plug-in loading', { concurrency: true }, () => {
  test('a missing module', async () => {
    assertSetupError(
      await runCli(['props', '--backend', `${FIXTURES}/nowhere.mjs`]),
      /backend module test\/plugin-fixtures\/nowhere.mjs not found/,
    );
  });

  test('a module that throws on import', async () => {
    assertSetupError(
      await runCli(['verify', '--backend', `${FIXTURES}/throws-on-import.mjs`, '--report-dir', join(scratch, 'never')]),
      /throws-on-import.mjs failed to load: cannot find the native driver for this store/,
    );
  });

  test('a module that does not export the contract', async () => {
    assertSetupError(
      await runCli(['bench', '--backend', `${FIXTURES}/not-a-backend.mjs`]),
      /not-a-backend.mjs does not default-export a BackendModule: its open is not a function/,
    );
  });

  test('a createManager export that is not a function', async () => {
    assertSetupError(
      await runCli(['props', '--backend', `${FIXTURES}/bad-create-manager.mjs`]),
      /bad-create-manager.mjs exports a createManager that is not a function \(it is object\)/,
    );
  });

  test('two backends of one name', async () => {
    assertSetupError(
      await runCli(['props', '--backend', 'memory', '--backend', `${FIXTURES}/slowed-memory.ts`]),
      /are both named memory/,
    );
  });
});

describe('plug-ins run the suite', { concurrency: true }, () => {
  test('a correct plain-JavaScript plug-in passes every applicable property', async () => {
    const r = await runCli(['props', '--backend', `${FIXTURES}/good.mjs`, '--profile', 'quick', '--seed', '7']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^plugin-map: passed$/m);
    assert.match(r.stdout, /^ {2}ok {3}round-trip /m);
    assert.match(r.stdout, /^ {2}n\/a {2}persistence /m);
    assert.doesNotMatch(r.stdout, /FAIL|ERR /);
  });

  test('a TypeScript plug-in loads through tsx', async () => {
    const r = await runCli([
      'props',
      '--backend',
      `${FIXTURES}/slowed-memory.ts`,
      '--profile',
      'quick',
      '--only',
      'round-trip,delete-truthful',
      '--seed',
      '3',
    ]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^ {2}ok {3}round-trip /m);
    assert.match(r.stdout, /^ {2}ok {3}delete-truthful /m);
  });
});

test('a faulty plug-in fails verify with its counterexample and a replay command that replays it', async () => {
  const dir = join(scratch, 'faulty');
  const r = await runCli([
    'verify',
    '--backend',
    `${FIXTURES}/faulty-expiry.mjs`,
    '--profile',
    'quick',
    '--skip-bench',
    '--seed',
    '12345',
    '--report-dir',
    dir,
  ]);
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^failed {2}plugin-faulty-expiry properties: /m);

  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  const failed = report.backends[0].properties.filter((p: { status: string }) => p.status === 'failed');
  assert.ok(failed.length > 0, 'some property fails');
  assert.ok(
    failed.some((p: { id: string }) => ['expiry-boundary', 'model', 'no-resurrection'].includes(p.id)),
    `an expiry property fails: ${failed.map((p: { id: string }) => p.id)}`,
  );

  const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
  const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
  assert.equal(XMLValidator.validate(junit), true);
  const cases = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' }).parse(junit)
    .testsuites.testsuite.testcase;
  for (const p of failed) {
    assert.equal(
      p.replay,
      `npx sessionbench props --backend ${FIXTURES}/faulty-expiry.mjs --profile quick --only ${p.id} --seed ${p.seed} --path ${p.path}`,
    );
    assert.ok(summary.includes(`property \`${p.id}\` failed`), `summary names ${p.id}`);
    assert.ok(summary.includes(p.counterexample), 'summary holds the counterexample');
    assert.ok(summary.includes(p.replay), 'summary holds the replay command');
    const testcase = cases.find((c: Record<string, string>) => c['@_name'] === p.id);
    assert.ok(testcase.failure, `junit has a failure for ${p.id}`);
    assert.ok(testcase.failure['#text'].includes(`Replay: ${p.replay}`));
    assert.ok(testcase.failure['#text'].includes('Counterexample: '));
  }

  // The printed command, run as printed (npx sessionbench is this CLI), fails the same property again.
  const first = failed[0];
  const replay = await runCli(first.replay.replace(/^npx sessionbench /, '').split(' '));
  assert.equal(replay.code, 1, `${replay.stdout}\n${replay.stderr}`);
  assert.match(replay.stdout, new RegExp(`^ {2}FAIL ${first.id} `, 'm'));
  assert.ok(replay.stdout.includes(`counterexample: ${first.counterexample}`), replay.stdout);
});

test('a plug-in written from DESIGN.md alone passes the default gate and fails --strict only on the minor codes it gets wrong', async () => {
  const run = (dir: string, ...extra: string[]) =>
    runCli([
      'verify',
      '--backend',
      `${FIXTURES}/design-only.mjs`,
      '--profile',
      'quick',
      '--skip-bench',
      '--seed',
      '4242',
      '--report-dir',
      dir,
      ...extra,
    ]);
  const [lenientDir, strictDir] = [join(scratch, 'design-default'), join(scratch, 'design-strict')];
  const [lenient, strict] = await Promise.all([run(lenientDir), run(strictDir, '--strict')]);
  assert.equal(lenient.code, 0, `${lenient.stdout}\n${lenient.stderr}`);
  assert.equal(strict.code, 1, `${strict.stdout}\n${strict.stderr}`);
  assert.match(
    lenient.stdout,
    /^passed {2}design-only properties: .*minor, failing the gate only with --strict: bad-input-codes failed \(minor\)/m,
  );
  assert.match(strict.stdout, /^failed {2}design-only properties: .*; bad-input-codes failed \(minor\)$/m);

  for (const [dir, isStrict] of [
    [lenientDir, false],
    [strictDir, true],
  ] as const) {
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    assert.equal(report.environment.strict, isStrict);
    const properties: { id: string; status: string; severity: string; message?: string }[] =
      report.backends[0].properties;
    assert.ok(properties.every((p) => ['critical', 'major', 'minor'].includes(p.severity)));
    // Every failure is reported whatever the gate mode: the one minor property, on the `now` codes.
    const failed = properties.filter((p) => p.status !== 'passed' && p.status !== 'not-applicable');
    assert.deepEqual(
      failed.map((p) => [p.id, p.status, p.severity]),
      [['bad-input-codes', 'failed', 'minor']],
    );
    assert.match(failed[0]!.message!, /with now .*expected INVALID_SESSION, got INVALID_ID/);
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    assert.match(summary, isStrict ? /strict gate/ : /default gate/);
    assert.match(
      summary,
      new RegExp(`### ${isStrict ? '❌' : '⚠️'} minor: design-only: property \`bad-input-codes\` failed`),
    );
    assert.match(readFileSync(join(dir, 'junit.xml'), 'utf8'), /<failure message="\[minor\] [^"]*INVALID_ID/);
    assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /minor: bad-input-codes failed/);
  }
});

test("a plug-in's own createManager is the manager the manager properties test, and its failure replays", async () => {
  // The zoo's members are plug-in modules; this one's manager touches without compare-and-set.
  const args = [
    'props',
    '--backend',
    'test/zoo/manager-blind-touch.ts',
    '--profile',
    'quick',
    '--only',
    'manager-concurrent-updates',
    '--seed',
    '11',
  ];
  const r = await runCli(args);
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(
    r.stdout,
    /^ {2}FAIL manager-concurrent-updates .*\n {7}after \d+ concurrent calls the metadata lost an update/m,
  );
  const counterexample = /^ {7}counterexample: (.+)$/m.exec(r.stdout)?.[1];
  const replay = /^ {7}replay: npx sessionbench (.+)$/m.exec(r.stdout)?.[1];
  assert.ok(counterexample !== undefined && replay !== undefined, r.stdout);

  // The printed command, run as printed, loads the same manager and fails with the same counterexample.
  const again = await runCli(replay.split(' '));
  assert.equal(again.code, 1, `${again.stdout}\n${again.stderr}`);
  assert.match(again.stdout, /^ {2}FAIL manager-concurrent-updates \(1 runs, /m);
  assert.ok(again.stdout.includes(`counterexample: ${counterexample}`), again.stdout);
});

describe('no Redis, and Ctrl-C', { concurrency: true }, () => {
  // Nothing listens on port 1: REDIS_URL names a Redis that isn't there.
  const noRedis = { REDIS_URL: 'redis://127.0.0.1:1' };

  test('redis named with --backend and not to be had fails the run, with the reason', async () => {
    const dir = join(scratch, 'no-redis');
    const r = await runCli(['verify', '--backend', 'redis', '--skip-bench', '--report-dir', dir], {
      ...noRedis,
      SESSIONBENCH_REQUIRE_REDIS: '0',
    });
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(
      r.stdout,
      /^failed {2}redis availability: required but not available: REDIS_URL redis:\/\/127\.0\.0\.1:1 does not answer PING/m,
    );
    assert.match(r.stdout, /^verify failed \(1 gate failed\)/m);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    assert.equal(report.status, 'failed');
    assert.equal(report.backends[0].status, 'failed');
    assert.match(report.backends[0].skipReason, /^REDIS_URL redis:\/\/127\.0\.0\.1:1 does not answer PING/);
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    assert.match(summary, /^# sessionbench verify: ❌ failed$/m);
    assert.match(summary, /^\| redis \| reference \| – \| – \| – \| – \| ❌ failed: REDIS_URL /m);
    assert.match(summary, /^- ❌ \*\*redis\*\* availability: required but not available: REDIS_URL /m);
    assert.match(
      readFileSync(join(dir, 'junit.xml'), 'utf8'),
      /name="availability" time="0\.000">\s*<failure message="required but not available: REDIS_URL/,
    );
  });

  test('SESSIONBENCH_REQUIRE_REDIS=1 turns the missing Redis into a failure', async () => {
    const dir = join(scratch, 'require-redis');
    const r = await runCli(['verify', '--backend', 'redis', '--skip-bench', '--report-dir', dir], {
      ...noRedis,
      SESSIONBENCH_REQUIRE_REDIS: '1',
    });
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^failed {2}redis availability: required but not available: REDIS_URL /m);
  });

  test('SIGINT stops a run, removes its scratch files and exits 130', async () => {
    const tmp = join(scratch, 'tmp-for-sigint');
    mkdirSync(tmp);
    const run = startCli(
      ['verify', '--backend', 'memory', '--profile', 'quick', '--report-dir', join(scratch, 'interrupted')],
      { TMPDIR: tmp },
    );
    // Interrupt once the suite is under way (its first result is out).
    await run.waitForStderr(/properties 1\//);
    const ours = (): string[] => readdirSync(tmp).filter((name) => name.startsWith('sessionbench-')); // tsx keeps its cache there too
    assert.equal(ours().length, 1, 'the run has its scratch dir');
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /SIGINT: stopping and cleaning up/);
    assert.deepEqual(ours(), []);
    assert.equal(existsSync(join(scratch, 'interrupted')), false, 'no half-written reports');
  });
});
