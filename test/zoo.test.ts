// Proves the invariant suite against the zoo: every faulty backend fails the properties it is
// listed for, every property is failed by some member, each failure can be replayed, and the
// zoo's own parts without a bug pass (so a member's failure is its bug's, not its base's).
//
// Cost: each member runs only its listed properties (a failing property stops at its first
// counterexample and shrinks); a few cheap in-memory members run the whole suite, for a wider map
// of what catches what; the controls run the whole suite, the SQLite ones without the manager
// properties (the manager is the same on every base, and 10k creates on SQLite are the costliest
// run); all of it spread over worker threads, one per core (2 at most).
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { PROPERTIES, runSuite, type PropertyResult } from '../properties/index.js';
import { propertiesGate } from '../reports/gates.js';
import { CONTROLS, ZOO } from './zoo/index.js';
import type { ZooJob, ZooReply } from './zoo/worker.js';

const SEED = 20_240_611;
/** In-memory members that also run the whole suite. */
const FULL_SUITE = new Set(['expiry-off-by-one', 'touch-on-read', 'delete-always-true']);
const WORKERS = Math.max(1, Math.min(2, availableParallelism()));
/** Failures replayed from their seed and path (in-memory members: cheap). */
const REPLAYED = ['lost-update', 'store-shallow-copy', 'cleanup-stops-early'];
const WITHOUT_MANAGER = PROPERTIES.map((def) => def.id).filter((id) => !id.startsWith('manager-'));

// Node 20 loads a worker's entry before --import hooks apply, so the worker registers tsx itself.
const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.resolve('./zoo/worker.ts'))}); })`;

/** Runs the jobs on a pool of workers; results in the jobs' order. */
async function runJobs(jobs: ZooJob[]): Promise<PropertyResult[][]> {
  const results: PropertyResult[][] = [];
  const queue = jobs.map((job, at) => ({ job, at }));
  const workers = Array.from({ length: WORKERS }, () => new Worker(WORKER_BOOT, { eval: true }));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let at = -1;
            const next = (): void => {
              const item = queue.shift();
              if (item === undefined) return resolve();
              at = item.at;
              worker.postMessage(item.job);
            };
            worker.on('message', (reply: ZooReply) => {
              if ('error' in reply) return reject(new Error(`${reply.job.list} #${reply.job.index}: ${reply.error}`));
              results[at] = reply.results;
              next();
            });
            worker.on('error', reject);
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return results;
}

test('the zoo of faulty backends proves the suite', async (t) => {
  const names = ZOO.map((member) => member.module.name);
  assert.equal(new Set(names).size, names.length, 'zoo member names are unique');
  assert.ok(ZOO.length >= 24, `at least 24 zoo members (${ZOO.length})`);
  const known = new Set(PROPERTIES.map((def) => def.id));
  for (const member of ZOO) {
    for (const id of member.expected) assert.ok(known.has(id), `${member.module.name} lists unknown property ${id}`);
  }

  // The costliest jobs (SQLite, whole suites) first, so no worker is left with one at the end.
  const controlJobs = CONTROLS.map((module, index): ZooJob => ({
    list: 'controls',
    index,
    seed: SEED,
    ...(module.capabilities.shared ? { only: WITHOUT_MANAGER } : {}),
  }));
  const zooJobs = ZOO.map((member, index): ZooJob => ({
    list: 'zoo',
    index,
    seed: SEED,
    ...(FULL_SUITE.has(member.module.name) ? {} : { only: member.expected }),
  }));
  const costFirst = (job: ZooJob): number =>
    job.list === 'controls' ? 2 : ZOO[job.index]!.module.capabilities.shared ? 1 : 0;
  const jobs = [...controlJobs, ...zooJobs].sort((a, b) => costFirst(b) - costFirst(a));
  const done = await runJobs(jobs);
  const resultsOf = (list: ZooJob['list'], index: number): PropertyResult[] =>
    done[jobs.findIndex((job) => job.list === list && job.index === index)]!;
  const results = ZOO.map((_, i) => resultsOf('zoo', i));

  /** Property id -> the members that failed it. */
  const caughtBy = new Map<string, string[]>(PROPERTIES.map((def) => [def.id, []]));
  for (const [i, member] of ZOO.entries()) {
    const failed = results[i]!.filter((r) => r.status === 'failed');
    for (const r of failed) caughtBy.get(r.id)!.push(member.module.name);
    t.diagnostic(
      `${member.module.name}: caught by ${failed.map((r) => `${r.id} (${r.severity})`).join(', ') || 'nothing'}`,
    );
  }

  await t.test("the zoo's parts without a bug pass every property", async (t) => {
    for (const [i, module] of CONTROLS.entries()) {
      await t.test(module.name, () => {
        const bad = resultsOf('controls', i).filter((r) => r.status !== 'passed' && r.status !== 'not-applicable');
        assert.deepEqual(
          bad.map((r) => `${r.id} ${r.status}: ${r.message}`),
          [],
        );
      });
    }
  });

  await t.test('every zoo member fails each property it is listed for', async (t) => {
    for (const [i, member] of ZOO.entries()) {
      await t.test(member.module.name, () => {
        for (const id of member.expected) {
          const result = results[i]!.find((r) => r.id === id);
          assert.ok(result, `${id} did not run`);
          assert.equal(
            result.status,
            'failed',
            `${id} is ${result.status}${result.status === 'passed' ? '' : `: ${result.message}`}`,
          );
        }
      });
    }
  });

  // A member caught only by minor (conformance) properties would pass a default run: each bug in
  // the zoo loses or misreports something, so a critical or major property must catch it.
  await t.test('every zoo member fails the default gate, not only --strict', async (t) => {
    for (const [i, member] of ZOO.entries()) {
      await t.test(member.module.name, () => {
        const gate = propertiesGate(member.module.name, results[i]!, false);
        assert.equal(gate.status, 'failed', `caught only by minor properties: ${gate.detail}`);
      });
    }
  });

  await t.test('every property is failed by at least one zoo member', () => {
    const uncaught = [...caughtBy].filter(([, members]) => members.length === 0).map(([id]) => id);
    assert.deepEqual(uncaught, [], `properties no zoo member fails: ${uncaught.join(', ')}`);
  });

  await t.test('every failure carries a counterexample, seed, path and replay command', () => {
    const failures = results.flat().filter((r) => r.status === 'failed');
    assert.ok(failures.length >= ZOO.length);
    for (const r of failures) {
      assert.ok(typeof r.counterexample === 'string' && r.counterexample.length > 0, `${r.id}: counterexample`);
      assert.ok(typeof r.message === 'string' && r.message.length > 0, `${r.id}: message`);
      assert.equal(r.seed, SEED, `${r.id}: seed`);
      assert.match(r.path ?? '', /^\S+$/, `${r.id}: path`);
      for (const part of [
        `--only ${r.id}`,
        `--seed ${SEED}`,
        '--path ',
        r.path!,
        '--profile quick',
        '--backend test/zoo/',
      ]) {
        assert.ok(
          r.replay?.includes(part),
          `${r.id}: replay ${JSON.stringify(r.replay)} lacks ${JSON.stringify(part)}`,
        );
      }
    }
  });

  await t.test('a failure replayed from its seed and path fails again with the same counterexample', async () => {
    for (const name of REPLAYED) {
      const i = names.indexOf(name);
      const member = ZOO[i]!;
      const original = results[i]!.find((r) => r.status === 'failed')!;
      const [replayed] = await runSuite(member.module, {
        profile: 'quick',
        seed: original.seed!,
        path: original.path!,
        only: [original.id],
        createManager: member.createManager,
      });
      assert.equal(replayed?.status, 'failed', `${name} ${original.id} replayed: ${replayed?.status}`);
      assert.equal(replayed.counterexample, original.counterexample, `${name} ${original.id}: the same counterexample`);
    }
  });
});
