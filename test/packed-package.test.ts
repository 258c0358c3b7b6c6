// The package as a user gets it: `npm pack` this checkout, install the tarball in a scratch
// project (with vitest, pinned), then run a plug-in's suite there through defineSuite under
// node:test and under vitest, the installed bin's verify with the fault scenarios, and a
// TypeScript consumer against the package's types. Slow (a few minutes): the install builds
// better-sqlite3 natively and every step is a real process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROPERTIES } from '../properties/index.js';
import { ROOT } from './run-cli.js';
import { tempDir } from './helpers/tmp.js';

// vitest 5 needs Node 22; 4.1 runs on the Node 20 this project supports, with the vite it was released with.
const VITEST = ['vitest@4.1.12', 'vite@8.3.8'];
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const RUN_TIMEOUT_MS = 6 * 60_000;

interface Run {
  code: number | null;
  output: string;
}

// The scratch project's processes run the installed package as a user's would: no tsx or
// coverage loader, no enclosing node:test context (a nested `node --test` would report to it).
const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
for (const name of ['NODE_OPTIONS', 'NODE_V8_COVERAGE', 'NODE_TEST_CONTEXT', 'GITHUB_STEP_SUMMARY']) delete env[name];

/** Runs a command to its end, or kills its whole process group after timeoutMs; stdout and stderr interleaved. */
function run(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs = RUN_TIMEOUT_MS,
  extraEnv: Record<string, string> = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // the group is already gone
      }
      reject(new Error(`${command} ${args.join(' ')} still running after ${timeoutMs} ms:\n${output.slice(-4000)}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function assertExit(result: Run, code: number, what: string): void {
  assert.equal(result.code, code, `${what} exited ${result.code}, expected ${code}:\n${result.output.slice(-6000)}`);
}

const scratch = tempDir('packed');
after(scratch.remove);
const project = join(scratch.path, 'project');
// good.mjs is neither persistent nor shared, has compare-and-set (the default) and no touch.
const applicable = PROPERTIES.filter(
  (def) => def.requires.every((c) => c === 'compareAndSet') && (def.methods ?? []).length === 0,
).length;
const notApplicable = PROPERTIES.length - applicable;

// One suite file per runner; which plug-in, and which properties, come from the environment.
const SUITE_SETUP = `import { defineSuite } from 'sessionbench';
const { default: module } = await import(process.env.PLUGIN);
const only = process.env.ONLY === undefined ? undefined : process.env.ONLY.split(',');
defineSuite({ test, module, profile: 'quick', backend: process.env.PLUGIN, only });
`;

describe('the packed package, installed in a project of its own', () => {
  before(
    async () => {
      const packed = join(scratch.path, 'pack');
      mkdirSync(packed);
      // npm pack runs prepare, so the tarball carries a fresh dist/.
      assertExit(await run('npm', ['pack', '--pack-destination', packed], ROOT, INSTALL_TIMEOUT_MS), 0, 'npm pack');
      const tarball = readdirSync(packed).find((name) => name.endsWith('.tgz'));
      assert.ok(tarball !== undefined, 'npm pack wrote no tarball');
      mkdirSync(project);
      writeFileSync(
        join(project, 'package.json'),
        JSON.stringify({ name: 'packed-consumer', private: true, type: 'module' }),
      );
      const install = await run(
        'npm',
        ['install', '--prefer-offline', '--no-audit', '--no-fund', join(packed, tarball), ...VITEST],
        project,
        INSTALL_TIMEOUT_MS,
      );
      assertExit(install, 0, 'npm install');
      for (const fixture of ['good.mjs', 'faulty-expiry.mjs'])
        copyFileSync(join(ROOT, 'test/plugin-fixtures', fixture), join(project, fixture));
      writeFileSync(join(project, 'suite-node.mjs'), `import { test } from 'node:test';\n${SUITE_SETUP}`);
      writeFileSync(join(project, 'suite.test.mjs'), `import { test } from 'vitest';\n${SUITE_SETUP}`);
    },
    { timeout: 2 * INSTALL_TIMEOUT_MS },
  );

  const suite = (runner: 'node' | 'vitest', plugin: string, only?: string[]): Promise<Run> => {
    const args =
      runner === 'node'
        ? ['--test', '--test-reporter=tap', 'suite-node.mjs']
        : ['--no', 'vitest', 'run', '--reporter=verbose', 'suite.test.mjs'];
    return run(runner === 'node' ? process.execPath : 'npx', args, project, RUN_TIMEOUT_MS, {
      PLUGIN: `./${plugin}`,
      ...(only === undefined ? {} : { ONLY: only.join(',') }),
    });
  };
  const faultyOnly = ['expiry-boundary'];

  test(
    'only what runs by default is installed: testcontainers is an optional peer, and opting in without it says how to install it',
    { timeout: RUN_TIMEOUT_MS },
    async () => {
      const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<
        string,
        Record<string, unknown>
      >;
      assert.equal(existsSync(join(project, 'node_modules/testcontainers')), false);
      // The redis provider is the one module that loads testcontainers.
      const provider = 'dist/backends/servers/redis-provider.js';
      assert.ok(existsSync(join(project, 'node_modules/sessionbench', provider)), `${provider} in the package`);
      const probe = await run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(`./node_modules/sessionbench/${provider}`)}); await m.provideRedis({ forceEmbedded: true, testcontainers: true }).then(() => process.exit(3), (err) => { console.log(err.name + ': ' + err.message); });`,
        ],
        project,
      );
      assertExit(probe, 0, 'provideRedis with testcontainers opted in');
      const peers = manifest.peerDependencies!;
      assert.match(probe.output, /^SetupError: SESSIONBENCH_TESTCONTAINERS=1 needs testcontainers/);
      assert.ok(
        probe.output.includes(
          `npm i -D testcontainers@${peers.testcontainers} @testcontainers/redis@${peers['@testcontainers/redis']}`,
        ),
        probe.output,
      );
      for (const name of ['testcontainers', '@testcontainers/redis']) {
        assert.deepEqual(manifest.peerDependenciesMeta![name], { optional: true });
        assert.equal(manifest.devDependencies![name], peers[name], `${name}: the dev version is the peer version`);
        assert.equal(manifest.dependencies![name], undefined);
      }
    },
  );

  test(
    'node:test: a correct plug-in passes, the properties it cannot run named not applicable',
    { timeout: RUN_TIMEOUT_MS },
    async () => {
      const result = await suite('node', 'good.mjs');
      assertExit(result, 0, 'node --test on good.mjs');
      assert.match(result.output, new RegExp(`^# pass ${applicable}$`, 'm'));
      assert.match(result.output, new RegExp(`^# skipped ${notApplicable}$`, 'm'));
      assert.match(
        result.output,
        /^ok \d+ - persistence \(not applicable: needs persistent, which plugin-map lacks \([^)]*\)\) # SKIP$/m,
      );
    },
  );

  test(
    'node:test: a faulty plug-in fails with its counterexample and replay command',
    { timeout: RUN_TIMEOUT_MS },
    async () => {
      const result = await suite('node', 'faulty-expiry.mjs', faultyOnly);
      assertExit(result, 1, 'node --test on faulty-expiry.mjs');
      assert.match(result.output, /^not ok 1 - expiry-boundary$/m);
      assert.match(result.output, /counterexample: /);
      assert.match(
        result.output,
        /replay: npx sessionbench props --backend \.\/faulty-expiry\.mjs --profile quick --only expiry-boundary --seed -?\d+ --path \S+/,
      );
    },
  );

  test(
    'vitest: a correct plug-in passes, the properties it cannot run skipped as not applicable',
    { timeout: RUN_TIMEOUT_MS },
    async () => {
      const result = await suite('vitest', 'good.mjs');
      assertExit(result, 0, 'vitest run on good.mjs');
      assert.match(result.output, new RegExp(`Tests\\s+${applicable} passed \\| ${notApplicable} skipped`));
      assert.match(result.output, /sharing-cas \(not applicable: needs shared, which plugin-map lacks \(/);
    },
  );

  test(
    'vitest: a faulty plug-in fails, and the replay command its message prints fails it again with the installed bin',
    { timeout: 2 * RUN_TIMEOUT_MS },
    async () => {
      const result = await suite('vitest', 'faulty-expiry.mjs', faultyOnly);
      assertExit(result, 1, 'vitest run on faulty-expiry.mjs');
      assert.match(result.output, /Tests\s+1 failed \(1\)/);
      assert.match(result.output, /expiry-boundary \(major\) failed: /);
      assert.match(result.output, /counterexample: /);
      const replay = /replay: (npx sessionbench props [^\n]+)/.exec(result.output)?.[1];
      assert.ok(replay !== undefined, result.output);
      const again = await run('sh', ['-c', replay.replace(/^npx /, 'npx --no ')], project);
      assertExit(again, 1, replay);
      // The seed and path go straight to the shrunk counterexample: one run.
      assert.match(again.output, /FAIL expiry-boundary \(1 runs/);
      assert.ok(again.output.includes(/counterexample: [^\n]+/.exec(result.output)![0]), again.output);
    },
  );

  test(
    'the installed bin runs verify with the fault scenarios, as the checkout does',
    { timeout: RUN_TIMEOUT_MS },
    async () => {
      const result = await run(
        'npx',
        [
          '--no',
          'sessionbench',
          'verify',
          '--backend',
          'sqlite',
          '--profile',
          'quick',
          '--skip-bench',
          '--reliability',
        ],
        project,
      );
      assertExit(result, 0, 'sessionbench verify --reliability');
      assert.match(result.output, /crash durability: sqlite/);
    },
  );

  test(
    "a TypeScript consumer compiles against the package types, with vitest's test",
    { timeout: RUN_TIMEOUT_MS },
    async () => {
      const options = {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        types: [],
      };
      writeFileSync(
        join(project, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: options, files: ['consumer.ts'] }),
      );
      writeFileSync(
        join(project, 'consumer.ts'),
        `import { test } from 'vitest';
import { defineSuite, type BackendModule, type PropertyResult } from 'sessionbench';
declare const module: BackendModule;
defineSuite({ test, module, profile: 'quick', onResult: (result: PropertyResult) => void result.status });
// @ts-expect-error profiles are named
defineSuite({ test, module, profile: 'fast' });
`,
      );
      const result = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'], project);
      assertExit(result, 0, 'tsc on a consumer');
    },
  );
});
