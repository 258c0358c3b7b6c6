// The invariant suite on the reference backends (quick profile), and the runner's own promises:
// capabilities a backend lacks give not-applicable, failures replay from their seed and path,
// a backend that can't open or hangs is reported errored.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { BackendModule } from '../backends/contract.js';
import memory from '../backends/memory.js';
import { loadReferenceBackend } from '../backends/registry.js';
import { PROPERTIES, runSuite } from '../properties/index.js';
import { describeFailure } from '../properties/define-suite.js';
import { suiteTests } from '../properties/node-test.js';
import { provideRedis } from '../backends/servers/redis-provider.js';
import expiryOffByOne from './zoo/expiry-off-by-one.js';

suiteTests(memory);
suiteTests(await loadReferenceBackend('sqlite'));
suiteTests(await loadReferenceBackend('lmdb'));

const redis = await provideRedis();
if ('skipped' in redis) {
  if (process.env.SESSIONBENCH_REQUIRE_REDIS === '1')
    throw new Error(`SESSIONBENCH_REQUIRE_REDIS=1 but ${redis.skipped}`);
  test('invariant suite on redis', { skip: redis.skipped }, () => {});
} else {
  after(() => redis.stop());
  // Each run opens its own namespace and wipes it, so a shared Redis is left as it was found.
  suiteTests(await loadReferenceBackend('redis'), { openOptions: { url: redis.url } });
}

describe('the runner', () => {
  test('properties needing capabilities a backend lacks are not-applicable, never passed', async () => {
    const needing = PROPERTIES.filter((def) => def.requires.some((c) => c !== 'compareAndSet')).map((def) => def.id);
    assert.deepEqual(needing, ['persistence', 'sharing-visibility', 'sharing-cas']);
    const results = await runSuite(memory, { only: needing });
    for (const result of results) {
      assert.equal(result.status, 'not-applicable', result.id);
      assert.equal(result.runs, 0);
      assert.match(
        result.message ?? '',
        new RegExp(`needs ${result.requires.filter((c) => c !== 'compareAndSet').join(' and ')}, which memory lacks`),
      );
    }
    assert.deepEqual(
      results.map((r) => r.id),
      needing,
    );
  });

  test('properties calling an optional method the opened backend lacks are not-applicable, never passed', async () => {
    const needing = PROPERTIES.filter((def) => def.methods?.includes('touch')).map((def) => def.id);
    assert.ok(needing.length >= 5, needing.join(', '));
    const withoutTouch: BackendModule = {
      name: 'no-touch',
      capabilities: { persistent: false, shared: false },
      async open(context) {
        const real = await memory.open(context);
        return {
          store: real.store.bind(real),
          fetch: real.fetch.bind(real),
          delete: real.delete.bind(real),
          list: real.list.bind(real),
          cleanupExpired: real.cleanupExpired.bind(real),
          close: real.close.bind(real),
        };
      },
    };
    const results = await runSuite(withoutTouch, { only: needing });
    assert.deepEqual(
      results.map((r) => `${r.id} ${r.status} ${r.runs}: ${r.status === 'not-applicable' ? r.message : ''}`),
      needing.map((id) => `${id} not-applicable 0: needs touch(), which no-touch lacks`),
    );
  });

  test('compareAndSet absent means true; declared false, the compare-and-set properties are not-applicable and say what that means', async () => {
    const needing = PROPERTIES.filter((def) => def.requires.includes('compareAndSet')).map((def) => def.id);
    assert.deepEqual(needing, [
      'cas-create',
      'cas-stale',
      'cas-concurrent',
      'manager-concurrent-updates',
      'sharing-cas',
    ]);
    assert.equal(memory.capabilities.compareAndSet, undefined);
    const casFree: BackendModule = {
      ...memory,
      name: 'no-cas',
      capabilities: { ...memory.capabilities, compareAndSet: false },
    };
    for (const [module, expected] of [
      [memory, 'passed'],
      [casFree, 'not-applicable'],
    ] as const) {
      const results = await runSuite(module, { only: ['cas-stale', 'manager-concurrent-updates'] });
      assert.deepEqual(
        results.map((r) => r.status),
        [expected, expected],
        module.name,
      );
    }
    const [na] = await runSuite(casFree, { only: ['cas-create'] });
    assert.match(
      na?.status === 'not-applicable' ? na.message : '',
      /needs compareAndSet, which no-cas lacks \(no compare-and-set: concurrent updates from two servers can overwrite each other\)/,
    );
    // The model still runs without compare-and-set, only without its CAS steps (memory ignores none, so it passes).
    const [model] = await runSuite(casFree, { only: ['model'] });
    assert.equal(model?.status, 'passed');
  });

  test('a failure reports seed and path, and replaying them reproduces the same counterexample', async () => {
    const [failed] = await runSuite(expiryOffByOne, {
      only: ['expiry-boundary'],
      seed: 20240601,
      backend: 'test/zoo/expiry-off-by-one.ts',
    });
    assert.ok(failed !== undefined);
    assert.ok(failed.status === 'failed', describeFailure(failed));
    assert.ok(failed.seed !== undefined && failed.path !== undefined && failed.counterexample !== undefined);
    assert.equal(
      failed.replay,
      `npx sessionbench props --backend test/zoo/expiry-off-by-one.ts --profile quick --only expiry-boundary --seed ${failed.seed} --path ${failed.path}`,
    );
    const [replayed] = await runSuite(expiryOffByOne, {
      only: ['expiry-boundary'],
      seed: failed.seed,
      path: failed.path,
    });
    assert.ok(replayed !== undefined);
    assert.equal(replayed.status, 'failed');
    assert.equal(replayed.counterexample, failed.counterexample);
    assert.equal(replayed.message, failed.message);
    assert.equal(replayed.runs, 1, 'a replay runs the one counterexample');
  });

  test('a backend whose open() rejects is errored, with its reason', async () => {
    const unopenable: BackendModule = {
      name: 'unopenable',
      capabilities: { persistent: false, shared: false },
      open: async () => {
        throw Object.assign(new Error('no such store'), { code: 'UNAVAILABLE' });
      },
    };
    const [result] = await runSuite(unopenable, { only: ['round-trip'] });
    assert.equal(result?.status, 'errored');
    assert.match(result?.message ?? '', /open\(\) of unopenable failed: UNAVAILABLE no such store/);
  });

  test('a backend that hangs is errored once the time limit passes, not waited on forever', async () => {
    const hanging: BackendModule = {
      name: 'hanging',
      capabilities: { persistent: false, shared: false },
      async open() {
        const real = await memory.open({ dir: '', namespace: 'hanging' });
        const never = new Promise<never>(() => {});
        return {
          store: real.store.bind(real),
          fetch: () => never,
          delete: real.delete.bind(real),
          list: real.list.bind(real),
          cleanupExpired: real.cleanupExpired.bind(real),
          close: real.close.bind(real),
        };
      },
    };
    const [result] = await runSuite(hanging, { only: ['round-trip'], timeoutMs: 300 });
    assert.equal(result?.status, 'errored');
    assert.match(result?.message ?? '', /timed out after 300 ms|did not finish within/);
  });

  test('unknown property ids and a path without one property are refused', async () => {
    await assert.rejects(runSuite(memory, { only: ['no-such-property'] }), /unknown property id no-such-property/);
    await assert.rejects(runSuite(memory, { seed: 1, path: '0:1' }), /a path replays one failure/);
  });
});
