// Hostile input, fuzzed (quick: 1000 cases per backend): malformed sessions, ids, nows, store and
// open options get their error code and change nothing; ids and namespaces shaped against the
// key schemes never reach another session.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadReferenceBackend } from '../backends/registry.js';
import { runHostileInput } from '../benchmarks/faults/hostile-input.js';
import { provideRedis } from '../backends/servers/redis-provider.js';
import lenientOpenOptions from './faults-zoo/lenient-open-options.js';
import uncheckedNow from './faults-zoo/unchecked-now.js';
import uncheckedStoreOptions from './faults-zoo/unchecked-store-options.js';
import { tempDir } from './helpers/tmp.js';
import coercesId from './zoo/coerces-id.js';
import noValidation from './zoo/no-validation.js';
import replaceDeletesFirst from './zoo/replace-deletes-first.js';
import sqliteLikeMatch from './zoo/sqlite-like-match.js';
import sqliteUnscopedScan from './zoo/sqlite-unscoped-scan.js';

const CASES = 1000;
const redis = await provideRedis();
if ('skipped' in redis)
  assert.ok(process.env.SESSIONBENCH_REQUIRE_REDIS !== '1', `SESSIONBENCH_REQUIRE_REDIS=1 but ${redis.skipped}`);
else after(() => redis.stop());

// redis-cluster needs its own servers: test/redis-cluster.test.ts runs it there.
for (const name of ['memory', 'sqlite', 'lmdb', 'redis']) {
  const skip = name === 'redis' && 'skipped' in redis ? redis.skipped : undefined;
  test(
    `hostile input on ${name}: ${CASES} cases, right codes, store unchanged, no cross-session reach`,
    { skip },
    async () => {
      const dir = tempDir(`hostile-${name}`);
      try {
        const openOptions = name === 'redis' && 'url' in redis ? { url: redis.url } : {};
        const r = await runHostileInput({
          module: await loadReferenceBackend(name),
          cases: CASES,
          dir: dir.path,
          openOptions,
        });
        assert.equal(r.failures, 0, r.failure);
      } finally {
        dir.remove();
      }
    },
  );
}

// Every kind of check must be able to fail: one faulty backend per check, each caught by it alone
// (failures === 1), the failure saying what broke. The zoo's members where one breaks the check,
// else a module of test/faults-zoo/.
const FAULTY_CASES = 300;
const FAULTY = [
  {
    check: 'malformed sessions',
    module: noValidation,
    breach: /expected INVALID_(SESSION|ID), but it resolved\n[^]*Counterexample: \[store /u,
  },
  {
    check: 'bad ids',
    module: coercesId,
    breach: /expected INVALID_ID, but it resolved\n[^]*Counterexample: \[(fetch|delete) id /u,
  },
  {
    check: 'bad nows',
    module: uncheckedNow,
    breach: /expected INVALID_SESSION, but it resolved\n[^]*Counterexample: \[fetch .* at now /u,
  },
  {
    check: 'bad store options',
    module: uncheckedStoreOptions,
    breach: /expected INVALID_SESSION, (but it resolved|got CONFLICT)[^]*Counterexample: \[store .* with options /u,
  },
  {
    check: 'bad open options',
    module: lenientOpenOptions,
    breach: /expected INVALID_SESSION, but it resolved\n[^]*Counterexample: \[open with /u,
  },
  { check: 'store unchanged by bad input', module: replaceDeletesFirst, breach: /^the store changed after: store /u },
  {
    check: 'attack ids vs victims',
    module: sqliteLikeMatch,
    breach:
      /^(fetch|delete) .* (found a session|deleted something) it never stored\n[^]*Counterexample: \[attacker id /u,
  },
  { check: 'hostile namespaces', module: sqliteUnscopedScan, breach: /^namespaces: namespace .* (lists|read) /mu },
];

for (const { check, module, breach } of FAULTY) {
  test(`hostile input catches ${module.name} (${check})`, async () => {
    const dir = tempDir(`hostile-${module.name}`);
    try {
      const r = await runHostileInput({ module, cases: FAULTY_CASES, dir: dir.path, seed: 1 });
      assert.equal(r.failures, 1, r.failure);
      assert.match(r.failure ?? '', breach);
    } finally {
      dir.remove();
    }
  });
}
