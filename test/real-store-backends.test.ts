// Real session stores through sessionbench: the loader takes express-session and Keyv modules
// (and refuses malformed ones with the reason), the strict invariant suite passes through the
// blob adapter on express-session's MemoryStore and on Keyv, with the compare-and-set properties
// not applicable and why, the adapter's own errors, and each preset on its real package and server.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import type { RealStoreModule, Session } from '../backends/contract.js';
import { contractProblem, loadBackend, requiredServer } from '../backends/load-backend.js';
import { importPeers } from '../backends/peer-packages.js';
import { REFERENCE_BACKENDS } from '../backends/registry.js';
import { provideServer } from '../backends/servers/provide.js';
import { SetupError } from '../backends/setup-error.js';
import { blobBackend, RepeatedCallbackError } from '../backends/stores/blob-adapter.js';
import { pgSchemaName, preset, PRESET_NAMES } from '../backends/stores/presets.js';
import { wipe } from '../properties/engine/fixture.js';
import { runSuite } from '../properties/run-suite.js';
import { runCli } from './run-cli.js';

const FIXTURES = 'test/plugin-fixtures';
const scratch = mkdtempSync(join(tmpdir(), 'sessionbench-real-stores-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const CAS_REASON = 'no compare-and-set: concurrent updates from two servers can overwrite each other';

function session(id: string, metadata: Session['metadata'] = { user: 'ann' }): Session {
  return { id, createdAt: 1_000, lastAccessedAt: 2_000, timeoutMs: 60_000, version: 1, metadata };
}

describe('the loader', () => {
  test('takes an express-session module and a Keyv module, each behind the blob adapter', async () => {
    for (const [file, kind] of [
      ['express-session-memory-store.mjs', 'express-session'],
      ['keyv-memory.mjs', 'keyv'],
    ] as const) {
      const loaded = await loadBackend(`${FIXTURES}/${file}`);
      assert.equal(loaded.kind, 'plugin');
      assert.equal(loaded.realStore?.kind, kind);
      assert.deepEqual(loaded.module.capabilities, { persistent: false, shared: false, compareAndSet: false });
      assert.equal(requiredServer(loaded), null);
    }
  });

  test('takes a preset by name, with the server it needs; no preset shadows a reference backend', async () => {
    for (const name of PRESET_NAMES) assert.ok(!REFERENCE_BACKENDS.includes(name), name);
    const loaded = await loadBackend('connect-pg-simple');
    assert.equal(loaded.kind, 'preset');
    assert.equal(loaded.realStore?.kind, 'express-session');
    assert.equal(requiredServer(loaded), 'postgres');
    assert.equal(requiredServer(await loadBackend('keyv-redis')), 'redis');
    assert.equal(requiredServer(await loadBackend('memorystore')), null);
  });

  test('refuses malformed real-store modules with the reason', () => {
    const good = {
      name: 'x',
      kind: 'keyv',
      capabilities: { persistent: false, shared: false },
      open: async () => ({}),
    };
    assert.equal(contractProblem(good), undefined);
    const cases: [unknown, RegExp][] = [
      [{ ...good, kind: 'memcached' }, /its kind is "memcached", not 'express-session' or 'keyv'/],
      [{ ...good, kind: 3 }, /its kind is 3/],
      [{ ...good, capabilities: { persistent: false, shared: false, expiryToleranceMs: -1 } }, /expiryToleranceMs/],
      [{ ...good, capabilities: { persistent: false, shared: 'yes' } }, /capabilities.shared is not a boolean/],
      [{ ...good, close: 1 }, /its close is not a function/],
      [{ ...good, open: undefined }, /its open is not a function/],
      [{ ...good, name: '' }, /its name is not a non-empty string/],
    ];
    for (const [module, reason] of cases) assert.match(contractProblem(module) ?? 'accepted', reason);
  });

  test('a malformed module is a setup error in the CLI (exit 2) naming the shape and the reason', async () => {
    const kind = await runCli(['props', '--backend', `${FIXTURES}/bad-real-store-kind.mjs`]);
    assert.equal(kind.code, 2, kind.stderr);
    assert.match(kind.stderr, /does not default-export a real-store module: its kind is "redis-store"/);
    const close = await runCli(['props', '--backend', `${FIXTURES}/bad-real-store-close.mjs`]);
    assert.equal(close.code, 2, close.stderr);
    assert.match(close.stderr, /does not default-export a express-session module: its close is not a function/);
  });

  test('a missing package names the exact install command, at package.json’s peer versions', async () => {
    const peers = (JSON.parse(readFileSync('package.json', 'utf8')) as { peerDependencies: Record<string, string> })
      .peerDependencies;
    const missing = 'sessionbench-test-no-such-package';
    await assert.rejects(
      importPeers('connect-redis', ['connect-redis', 'redis'], () => import(missing)),
      (err: unknown) =>
        err instanceof SetupError &&
        err.message.includes(`npm i -D connect-redis@${peers['connect-redis']} redis@${peers.redis}`),
    );
    // Any other failure of the import passes through unchanged.
    await assert.rejects(
      importPeers('x', ['x'], async () => {
        throw new Error('broken');
      }),
      /^Error: broken$/,
    );
  });
});

describe('the strict suite through the blob adapter', () => {
  for (const file of ['express-session-memory-store.mjs', 'keyv-memory.mjs']) {
    test(`passes on ${file}, compare-and-set not applicable and why`, { timeout: 300_000 }, async () => {
      const { module } = await loadBackend(`${FIXTURES}/${file}`);
      const results = await runSuite(module, { profile: 'quick', seed: 42, dir: scratch });
      const bad = results.filter((r) => r.status !== 'passed' && r.status !== 'not-applicable');
      assert.deepEqual(
        bad.map((r) => `${r.id}: ${r.status} ${'message' in r ? r.message : ''}`),
        [],
      );
      const cas = results.filter((r) => r.requires.includes('compareAndSet'));
      assert.ok(cas.length >= 3);
      for (const r of cas) {
        assert.equal(r.status, 'not-applicable', r.id);
        assert.ok('message' in r && r.message?.includes(CAS_REASON), r.id);
      }
      assert.ok(results.filter((r) => r.status === 'passed').length >= 15);
    });
  }

  test('fails a store that keeps a destroyed session (the adapter passes the defect through)', async () => {
    const keepsDestroyed: RealStoreModule = {
      name: 'destroy-does-nothing',
      kind: 'express-session',
      capabilities: { persistent: false, shared: false },
      async open() {
        const { default: session } = await import('express-session');
        const store = new session.MemoryStore();
        store.destroy = (_sid: string, cb?: (err?: unknown) => void) => cb?.();
        return store;
      },
    };
    const [result] = await runSuite(blobBackend(keepsDestroyed), {
      profile: 'quick',
      seed: 42,
      dir: scratch,
      only: ['delete-truthful'],
      shrink: false,
    });
    assert.equal(result?.status, 'failed');
  });
});

/** An express-session module over `store`, opened as is. */
function oddStore(store: object): RealStoreModule {
  return {
    name: 'odd',
    kind: 'express-session',
    capabilities: { persistent: false, shared: false },
    open: async () => store,
  };
}

const context = { dir: scratch, namespace: 'adapter-test' };

describe('the blob adapter’s errors', () => {
  test('bad input is refused with DESIGN’s code before the store is called; after close, CLOSED', async () => {
    const calls: string[] = [];
    const store = {
      get: (sid: string, cb: (e: unknown, s?: unknown) => void) => (calls.push(`get ${sid}`), cb(null, null)),
      set: (sid: string, _s: unknown, cb: (e?: unknown) => void) => (calls.push(`set ${sid}`), cb()),
      destroy: (sid: string, cb: (e?: unknown) => void) => (calls.push(`destroy ${sid}`), cb()),
      all: (cb: (e: unknown, s?: unknown) => void) => (calls.push('all'), cb(null, [])),
    };
    const backend = await blobBackend(oddStore(store)).open(context);
    await assert.rejects(backend.fetch('', 0), { code: 'INVALID_ID' });
    await assert.rejects(backend.fetch('a', -1), { code: 'INVALID_SESSION' });
    await assert.rejects(backend.store({ ...session('a'), version: 0 }), { code: 'INVALID_SESSION' });
    await assert.rejects(backend.store({ ...session('a'), metadata: { n: Number.NaN } }), { code: 'INVALID_SESSION' });
    await assert.rejects(backend.store(session('a'), { expectedVersion: -1 }), { code: 'INVALID_SESSION' });
    await assert.rejects(backend.delete('x'.repeat(257)), { code: 'INVALID_ID' });
    await assert.rejects(backend.list(1.5), { code: 'INVALID_SESSION' });
    assert.deepEqual(calls, []);
    await backend.close();
    await assert.rejects(backend.fetch('a', 0), { code: 'CLOSED' });
    await assert.rejects(backend.store(session('a')), { code: 'CLOSED' });
    await backend.close();
  });

  test('expiry is the explicit now’s: expired at now reads as missing, is not listed, is cleaned and counted', async () => {
    const { module } = await loadBackend(`${FIXTURES}/express-session-memory-store.mjs`);
    const backend = await module.open(context);
    await backend.store(session('live'));
    await backend.store({ ...session('old'), timeoutMs: 10 });
    assert.equal(await backend.fetch('old', 2_009).then((s) => s?.id), 'old');
    assert.equal(await backend.fetch('old', 2_010), undefined);
    assert.deepEqual(await backend.list(2_010), ['live']);
    assert.equal(await backend.cleanupExpired(2_010), 1);
    assert.deepEqual((await backend.list(0)).sort(), ['live']);
    assert.equal(await backend.delete('live'), true);
    assert.equal(await backend.delete('live'), false);
    await backend.close();
  });

  test('a timeout or a store error is UNAVAILABLE, an unreadable value CORRUPT, a second callback an error', async () => {
    const store = {
      get: (sid: string, cb: (e: unknown, s?: unknown) => void) => {
        if (sid === 'hangs') return;
        if (sid === 'fails') return cb(new Error('connection reset'));
        if (sid === 'junk') return cb(null, { cookie: {}, session: 'not a session' });
        if (sid === 'other') return cb(null, { session: session('someone-else') });
        cb(null, { session: session(sid) });
        cb(null, null);
      },
      set: (_sid: string, _s: unknown, cb: (e?: unknown) => void) => cb(),
      destroy: (_sid: string, cb: (e?: unknown) => void) => cb(),
      all: (cb: (e: unknown, s?: unknown) => void) => cb(null, {}),
    };
    const backend = await blobBackend(oddStore(store), { callTimeoutMs: 50 }).open(context);
    await assert.rejects(backend.fetch('hangs', 0), { code: 'UNAVAILABLE', message: /did not answer within/ });
    await assert.rejects(backend.fetch('fails', 0), { code: 'UNAVAILABLE', message: /connection reset/ });
    await assert.rejects(backend.fetch('junk', 0), { code: 'CORRUPT' });
    await assert.rejects(backend.fetch('other', 0), { code: 'CORRUPT' });
    await assert.rejects(backend.fetch('twice', 0), (err: unknown) => {
      assert.ok(err instanceof RepeatedCallbackError);
      assert.match(err.message, /get called back 2 times/);
      return true;
    });
    // Reported once: the next call goes through.
    await assert.rejects(backend.fetch('fails', 0), { code: 'UNAVAILABLE' });
    await backend.close();
  });

  test('store() with expectedVersion checks the version it reads (not atomically)', async () => {
    const { module } = await loadBackend(`${FIXTURES}/keyv-memory.mjs`);
    const backend = await module.open(context);
    await backend.store(session('a'), { expectedVersion: 0 });
    await assert.rejects(backend.store({ ...session('a'), version: 2 }, { expectedVersion: 0 }), { code: 'CONFLICT' });
    await backend.store({ ...session('a'), version: 2 }, { expectedVersion: 1 });
    assert.equal((await backend.fetch('a', 2_000))?.version, 2);
    assert.equal(backend.touch, undefined);
    await backend.close();
  });
});

test('a finding in Keyv 5.6 surfaces as CORRUPT, not as another session: in namespace ns, id "ns:x" is key "x"', async () => {
  const { module } = await loadBackend(`${FIXTURES}/keyv-memory.mjs`);
  const backend = await module.open({ ...context, namespace: 'ns' });
  await backend.store(session('x'));
  await backend.store(session('ns:x'));
  // Keyv does not prefix a key that already starts with its namespace: both ids are one entry.
  await assert.rejects(backend.fetch('x', 2_000), { code: 'CORRUPT', message: /belongs to another id/ });
  await backend.close();
});

describe('the presets, on their real packages and servers', () => {
  for (const name of PRESET_NAMES) {
    test(`${name} opens, round-trips a session and closes`, { timeout: 60_000 }, async (t) => {
      const entry = preset(name)!;
      const provided = entry.server === null ? undefined : await provideServer(entry.server);
      if (provided !== undefined && 'skipped' in provided) return t.skip(provided.skipped);
      const namespace = `real-stores-test-${process.pid}-${name}`;
      const open = () =>
        blobBackend(entry.module).open({ dir: scratch, namespace, options: provided?.openOptions ?? {} });
      try {
        const backend = await open();
        const stored = session('round-trip', { user: 'ann', cart: [1, 'two', { three: null }] });
        await backend.store(stored);
        assert.deepEqual(await backend.fetch('round-trip', 2_000), stored);
        assert.deepEqual(await backend.list(2_000), ['round-trip']);
        if (entry.module.capabilities.persistent) {
          const second = await open();
          assert.deepEqual(await second.fetch('round-trip', 2_000), stored);
          await second.close();
        }
        assert.equal(await backend.delete('round-trip'), true);
        assert.equal(await backend.fetch('round-trip', 2_000), undefined);
        await backend.close();
        if (name === 'connect-pg-simple') {
          // Its schema went with the last instance, as it held no session any more.
          const client = new pg.Client({ connectionString: String(provided!.openOptions.url) });
          await client.connect();
          const { rows } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [
            pgSchemaName(namespace),
          ]);
          await client.end();
          assert.equal(rows.length, 0);
        }
      } finally {
        // Whatever failed above, nothing of this namespace is left on the server.
        const leftover = await open();
        await wipe(leftover);
        await leftover.close();
        await provided?.stop();
      }
    });
  }
});
