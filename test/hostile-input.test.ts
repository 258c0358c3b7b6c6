// Hostile input, fuzzed (quick: 1000 cases per backend): malformed sessions, ids, nows, store and
// open options get their error code and change nothing; ids and namespaces shaped against the
// key schemes never reach another session.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadReferenceBackend } from '../backends/registry.js';
import { runHostileInput } from '../benchmarks/faults/hostile-input.js';
import { provideRedis } from '../scripts/redis-provider.js';
import { tempDir } from './helpers/tmp.js';

const CASES = 1000;
const redis = await provideRedis();
if ('skipped' in redis) assert.ok(process.env.SESSIONBENCH_REQUIRE_REDIS !== '1', `SESSIONBENCH_REQUIRE_REDIS=1 but ${redis.skipped}`);
else after(() => redis.stop());

// redis-cluster needs its own servers: test/redis-cluster.test.ts runs it there.
for (const name of ['memory', 'sqlite', 'lmdb', 'redis']) {
  const skip = name === 'redis' && 'skipped' in redis ? redis.skipped : undefined;
  test(`hostile input on ${name}: ${CASES} cases, right codes, store unchanged, no cross-session reach`, { skip }, async () => {
    const dir = tempDir(`hostile-${name}`);
    try {
      const openOptions = name === 'redis' && 'url' in redis ? { url: redis.url } : {};
      const r = await runHostileInput({ module: await loadReferenceBackend(name), cases: CASES, dir: dir.path, openOptions });
      assert.equal(r.failures, 0, r.failure);
    } finally {
      dir.remove();
    }
  });
}
