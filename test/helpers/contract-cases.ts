// The shared contract test: one list of cases every backend runs (backend-contract.test.ts
// adds one line per backend). Backend-specific behaviour (files, damage, locks) lives in each
// backend's own test file.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, it, before, after, type TestContext } from 'node:test';
import type { BackendModule, OpenContext, Session, SessionBackend } from '../../backends/contract.js';
import { errorCode } from '../../backends/errors.js';
import { raceInTwoChildren, runInChild } from './child-backend.js';
import { tempDir } from './tmp.js';

export interface ContractTarget {
  module: BackendModule;
  /** A file that default-exports the module, so a child process can open it too. */
  moduleFile: string;
  /** Where to open an instance; `namespace` defaults to a fresh one. */
  context(namespace?: string, options?: Record<string, unknown>): OpenContext;
  /** Removes whatever the target made besides the sessions the cases delete themselves. */
  cleanup(): Promise<void>;
}

/** The file of a reference backend, by name. */
export function backendFile(name: string): string {
  return fileURLToPath(new URL(`../../backends/${name}.ts`, import.meta.url));
}

/** A target on a temp directory, removed by cleanup(), for a module no child process needs to load. */
export function moduleTarget(
  module: BackendModule,
  options?: Record<string, unknown>,
): Omit<ContractTarget, 'moduleFile'> {
  const dir = tempDir(module.name);
  return {
    module,
    context: (namespace = `ns-${randomUUID()}`, extra) => ({
      dir: dir.path,
      namespace,
      options: { ...options, ...extra },
    }),
    cleanup: async () => dir.remove(),
  };
}

/** A target on a temp directory, removed by cleanup(). */
export async function dirTarget(moduleFile: string, options?: Record<string, unknown>): Promise<ContractTarget> {
  const module = (await import(moduleFile)).default as BackendModule;
  return { ...moduleTarget(module, options), moduleFile };
}

export function session(id: string, overrides: Partial<Session> = {}): Session {
  return {
    id,
    createdAt: 1000,
    lastAccessedAt: 2000,
    timeoutMs: 1000,
    version: 1,
    metadata: { user: 'u1' },
    ...overrides,
  };
}

export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal(errorCode(err), code, `expected ${code}, got ${String(err)}`);
    return true;
  });
}

/** Deletes every session of a backend through the contract alone, so shared servers stay clean. */
export async function drain(backend: SessionBackend): Promise<void> {
  for (const id of await backend.list(0)) await backend.delete(id);
  await backend.cleanupExpired(Number.MAX_SAFE_INTEGER);
}

/** Opens an instance of the target's module that is drained and closed after the test. */
export async function openForTest(
  t: TestContext,
  target: Pick<ContractTarget, 'module' | 'context'>,
  context: OpenContext = target.context(),
): Promise<SessionBackend> {
  const backend = await target.module.open(context);
  t.after(async () => {
    try {
      await drain(backend);
    } catch (err) {
      if (errorCode(err) !== 'CLOSED') throw err;
    }
    await backend.close();
  });
  return backend;
}

export function contractTests(
  name: string,
  makeTarget: () => Promise<ContractTarget>,
  options: { skip?: string } = {},
): void {
  describe(`${name} backend contract`, { skip: options.skip }, () => {
    let target: ContractTarget;
    before(async () => {
      target = await makeTarget();
    });
    after(async () => {
      await target?.cleanup();
    });

    const open = (t: TestContext, context?: OpenContext): Promise<SessionBackend> => openForTest(t, target, context);

    it('round-trips every field and JSON value, and copies in and out', async (t) => {
      const b = await open(t);
      const s = session('a', {
        metadata: {
          n: -1.5e-7,
          big: 2 ** 53 - 1,
          s: 'ü\u0000"\\',
          nested: { list: [1, null, true, { x: [] }] },
          e: {},
        },
      });
      await b.store(s);
      assert.deepEqual(await b.fetch('a', 2000), s);
      s.metadata.user = 'changed';
      const got = (await b.fetch('a', 2000))!;
      assert.equal(got.metadata.user, undefined);
      got.metadata.mutated = true;
      assert.equal((await b.fetch('a', 2000))!.metadata.mutated, undefined);
      assert.equal(await b.fetch('missing', 2000), undefined);
    });

    it('store upserts and delete is truthful', async (t) => {
      const b = await open(t);
      await b.store(session('a'));
      await b.store(session('a', { version: 7, metadata: { v: 7 } }));
      assert.deepEqual(await b.fetch('a', 2000), session('a', { version: 7, metadata: { v: 7 } }));
      assert.equal(await b.delete('a'), true);
      assert.equal(await b.delete('a'), false);
      assert.equal(await b.fetch('a', 2000), undefined);
      assert.deepEqual(await b.list(0), []);
    });

    it('expires exactly at lastAccessedAt + timeoutMs; fetch and list hide it until cleanup', async (t) => {
      const b = await open(t);
      await b.store(session('a', { lastAccessedAt: 5000, timeoutMs: 1000 }));
      await b.store(session('forever', { timeoutMs: null }));
      await b.store(session('zero', { createdAt: 0, lastAccessedAt: 0, timeoutMs: 0 }));
      assert.ok(await b.fetch('a', 5999));
      assert.deepEqual((await b.list(5999)).sort(), ['a', 'forever']);
      assert.equal(await b.fetch('a', 6000), undefined);
      assert.equal(await b.fetch('zero', 0), undefined);
      assert.deepEqual(await b.list(6000), ['forever']);
      assert.ok(await b.fetch('forever', Number.MAX_SAFE_INTEGER));
      // Hidden, not gone: the version is still there for compare-and-set.
      await rejectsWith(b.store(session('a'), { expectedVersion: 0 }), 'CONFLICT');
    });

    it('cleanupExpired removes only what expired at now, and counts it', async (t) => {
      const b = await open(t);
      for (let i = 0; i < 5; i++) await b.store(session(`e${i}`, { lastAccessedAt: 2000 + i, timeoutMs: 1000 }));
      await b.store(session('live', { lastAccessedAt: 9000, timeoutMs: 1000 }));
      await b.store(session('forever', { timeoutMs: null }));
      assert.equal(await b.cleanupExpired(2999), 0);
      assert.equal(await b.cleanupExpired(3002), 3); // e0, e1, e2 (expiry <= now)
      assert.equal(await b.cleanupExpired(3002), 0);
      assert.equal(await b.fetch('e3', 3003), undefined);
      assert.ok(await b.fetch('e3', 3002));
      assert.equal(await b.cleanupExpired(Number.MAX_SAFE_INTEGER - 1), 3);
      assert.deepEqual(await b.list(0), ['forever']);
      // A session rewritten with a later expiry is not removed at its old expiry.
      await b.store(session('t', { lastAccessedAt: 2000, timeoutMs: 1000 }));
      await b.store(session('t', { lastAccessedAt: 2500, timeoutMs: 1000, version: 2 }));
      assert.equal(await b.cleanupExpired(3000), 0);
      assert.equal(await b.cleanupExpired(3500), 1);
    });

    it('compare-and-set: 0 creates, stale and existing conflict, right version writes', async (t) => {
      const b = await open(t);
      await b.store(session('a'), { expectedVersion: 0 });
      await rejectsWith(
        b.store(session('a', { version: 9, metadata: { lost: true } }), { expectedVersion: 0 }),
        'CONFLICT',
      );
      await b.store(session('a', { version: 2 }), { expectedVersion: 1 });
      await rejectsWith(
        b.store(session('a', { version: 3, metadata: { lost: true } }), { expectedVersion: 1 }),
        'CONFLICT',
      );
      await rejectsWith(b.store(session('new', { version: 1 }), { expectedVersion: 1 }), 'CONFLICT');
      assert.deepEqual(await b.fetch('a', 2000), session('a', { version: 2 }));
      assert.equal(await b.fetch('new', 2000), undefined);
      await b.store(session('a', { version: 3 }), { expectedVersion: 2 });
      assert.equal((await b.fetch('a', 2000))!.version, 3);
    });

    it('concurrent compare-and-sets on one version: exactly one wins', async (t) => {
      const b = await open(t);
      await b.store(session('a'));
      const attempts = Array.from({ length: 8 }, (_, i) =>
        b.store(session('a', { version: 2, metadata: { w: i } }), { expectedVersion: 1 }),
      );
      const results = await Promise.allSettled(attempts);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal(errorCode(r.reason), 'CONFLICT');
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      assert.deepEqual((await b.fetch('a', 2000))!.metadata, { w: winner });
    });

    it('refuses bad input with its code and changes nothing', async (t) => {
      const b = await open(t, target.context(undefined, { maxSessionBytes: 300 }));
      await b.store(session('a'));
      await rejectsWith(b.fetch('', 0), 'INVALID_ID');
      await rejectsWith(b.fetch('x'.repeat(257), 0), 'INVALID_ID');
      await rejectsWith(b.delete(42 as unknown as string), 'INVALID_ID');
      await rejectsWith(b.store(session('')), 'INVALID_ID');
      await rejectsWith(b.fetch('a', -1), 'INVALID_SESSION');
      await rejectsWith(b.list(1.5), 'INVALID_SESSION');
      await rejectsWith(b.cleanupExpired(Number.NaN), 'INVALID_SESSION');
      await rejectsWith(b.store(session('a', { metadata: { f: (() => 1) as never } })), 'INVALID_SESSION');
      await rejectsWith(b.store(session('a', { version: 0 })), 'INVALID_SESSION');
      await rejectsWith(b.store(session('a', { version: 5 }), { expectedVersion: -1 }), 'INVALID_SESSION');
      await rejectsWith(b.store(session('a', { metadata: { blob: 'x'.repeat(300) } })), 'TOO_LARGE');
      await rejectsWith(
        b.store(session('b', { metadata: { blob: 'x'.repeat(300) } }), { expectedVersion: 0 }),
        'TOO_LARGE',
      );
      assert.deepEqual(await b.fetch('a', 2000), session('a'));
      assert.deepEqual(await b.list(0), ['a']);
      await b.store(session('c', { metadata: { blob: 'x'.repeat(150) } })); // under the limit: accepted
    });

    it('keeps ids apart that a UTF-8 store would confuse', async (t) => {
      const b = await open(t);
      const ids = [
        '\ud800',
        '\udc00',
        '\ufffd',
        'a\ud800b',
        'a\ufffdb',
        '😀',
        '\ud83d',
        '*',
        'a:b',
        '{x}',
        ' ',
        '\u0000',
        '"',
      ];
      // The longest ids in the bytes of an escaped or UTF-8 key: 256 lone surrogates, controls, astral pairs.
      ids.push('\ud800'.repeat(256), '\u0001'.repeat(256), '😀'.repeat(128), 'x'.repeat(256));
      for (const [i, id] of ids.entries()) await b.store(session(id, { metadata: { i } }));
      for (const [i, id] of ids.entries())
        assert.deepEqual((await b.fetch(id, 2000))?.metadata, { i }, `id ${JSON.stringify(id)}`);
      assert.deepEqual((await b.list(0)).sort(), [...ids].sort());
      assert.equal(await b.delete('\ud800'), true);
      assert.ok(await b.fetch('\udc00', 2000));
      assert.ok(await b.fetch('\ufffd', 2000));
    });

    it('isolates namespaces that share a directory or server', async (t) => {
      const one = await open(t);
      const two = await open(t);
      await one.store(session('a', { metadata: { in: 1 } }));
      await two.store(session('b', { lastAccessedAt: 1000, timeoutMs: 10 }));
      assert.equal(await two.fetch('a', 2000), undefined);
      assert.deepEqual(await one.list(0), ['a']);
      assert.equal(await two.delete('a'), false);
      assert.equal(await one.cleanupExpired(Number.MAX_SAFE_INTEGER - 1), 1);
      assert.equal(await two.cleanupExpired(Number.MAX_SAFE_INTEGER - 1), 1);
    });

    it('close is idempotent and every other method then rejects with CLOSED', async (t) => {
      const b = await open(t);
      await b.close();
      await b.close();
      await rejectsWith(b.store(session('a')), 'CLOSED');
      await rejectsWith(b.fetch('a', 0), 'CLOSED');
      await rejectsWith(b.delete('a'), 'CLOSED');
      await rejectsWith(b.list(0), 'CLOSED');
      await rejectsWith(b.cleanupExpired(0), 'CLOSED');
    });

    it('persistent: a second open of the same namespace sees what the first stored', async (t) => {
      if (!target.module.capabilities.persistent) return t.skip('not persistent');
      const context = target.context();
      const first = await target.module.open(context);
      await first.store(session('a', { timeoutMs: null }));
      await first.store(session('b', { lastAccessedAt: 2000, timeoutMs: 1 }));
      await first.close();
      const second = await open(t, context);
      assert.deepEqual(await second.fetch('a', 2000), session('a', { timeoutMs: null }));
      assert.deepEqual(await second.list(2001), ['a']);
      assert.equal(await second.cleanupExpired(2001), 1);
    });

    it('shared: two instances at once see each other and their compare-and-sets conflict', async (t) => {
      if (!target.module.capabilities.shared) return t.skip('not shared');
      const context = target.context();
      const one = await open(t, context);
      const two = await target.module.open(context);
      t.after(() => two.close());
      await one.store(session('a'));
      assert.deepEqual(await two.fetch('a', 2000), session('a'));
      await two.store(session('a', { version: 2 }), { expectedVersion: 1 });
      assert.equal((await one.fetch('a', 2000))!.version, 2);
      await rejectsWith(
        one.store(session('a', { version: 2, metadata: { lost: true } }), { expectedVersion: 1 }),
        'CONFLICT',
      );
      const race = await Promise.allSettled([
        one.store(session('a', { version: 3, metadata: { by: 1 } }), { expectedVersion: 2 }),
        two.store(session('a', { version: 3, metadata: { by: 2 } }), { expectedVersion: 2 }),
      ]);
      assert.deepEqual(race.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      assert.equal(await two.delete('a'), true);
      assert.equal(await one.fetch('a', 2000), undefined);
      assert.deepEqual(await one.list(0), []);
    });

    it('shared: another process sees the writes and its compare-and-sets conflict', async (t) => {
      if (!target.module.capabilities.shared) return t.skip('not shared');
      const context = target.context();
      const b = await open(t, context);
      await b.store(session('a'));
      const results = await runInChild(target.moduleFile, context, [
        { op: 'fetch', id: 'a', now: 2000 },
        { op: 'store', session: session('a', { version: 2, metadata: { by: 'child' } }), expectedVersion: 1 },
        { op: 'store', session: session('a', { version: 2 }), expectedVersion: 1 },
        { op: 'store', session: session('\ud800', { timeoutMs: null }) },
      ]);
      assert.deepEqual(results, [{ value: session('a') }, { value: null }, { error: 'CONFLICT' }, { value: null }]);
      assert.deepEqual((await b.fetch('a', 2000))!.metadata, { by: 'child' });
      await rejectsWith(b.store(session('a', { version: 2 }), { expectedVersion: 1 }), 'CONFLICT');
      assert.deepEqual((await b.list(2000)).sort(), ['a', '\ud800']);
      assert.equal(await b.fetch('\udc00', 2000), undefined);
    });

    it('shared: compare-and-set increments from two processes at once lose no update', async (t) => {
      if (!target.module.capabilities.shared) return t.skip('not shared');
      const context = target.context();
      const b = await open(t, context);
      await b.store(session('counter', { metadata: { n: 0 } }));
      const times = 100;
      await raceInTwoChildren(target.moduleFile, context, { op: 'increment', id: 'counter', now: 2000, times });
      const final = (await b.fetch('counter', 2000))!;
      assert.deepEqual(final.metadata, { n: 2 * times });
      assert.equal(final.version, 1 + 2 * times);
    });
  });
}
