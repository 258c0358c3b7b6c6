// touch (contract v2) on every reference backend's real store, sealed records and encryption at
// rest included: it applies in one step, never revives, never moves lastAccessedAt back, refuses
// bad input with DESIGN's codes changing nothing; and the SessionManager uses it when present.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it, test, type TestContext } from 'node:test';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import type { OpenContext, Session, SessionBackend } from '../backends/contract.js';
import { encrypted, newEncryptionKey } from '../backends/encrypted.js';
import lmdb from '../backends/lmdb.js';
import { SessionManager } from '../backends/manager.js';
import memory from '../backends/memory.js';
import redis, { SAFETY_NET_MS } from '../backends/redis.js';
import { RedisKeys } from '../backends/redis-keys.js';
import sqlite, { DB_FILE } from '../backends/sqlite.js';
import { sealRecord } from '../backends/codec.js';
import { idKey } from '../backends/id-keys.js';
import { provideRedisCluster } from '../backends/servers/redis-cluster.js';
import { provideRedis } from '../backends/servers/redis-provider.js';
import {
  backendFile,
  dirTarget,
  drain,
  moduleTarget,
  openForTest,
  rejectsWith,
  session,
  type ContractTarget,
} from './helpers/contract-cases.js';
import { raceInTwoChildren } from './helpers/child-backend.js';
import { wrapCalls } from './helpers/wrap-calls.js';

/** moduleFile only where a child process can load the module (not the encrypted wrappers). */
type Target = Omit<ContractTarget, 'moduleFile'> & Partial<Pick<ContractTarget, 'moduleFile'>>;
type Touchable = SessionBackend & Required<Pick<SessionBackend, 'touch'>>;

const MAX = Number.MAX_SAFE_INTEGER;

function touchTests(name: string, makeTarget: () => Promise<Target>, options: { skip?: string } = {}): void {
  describe(`${name} touch`, { skip: options.skip }, () => {
    let target: Target;
    before(async () => {
      target = await makeTarget();
    });
    after(async () => {
      await target?.cleanup();
    });

    /** Opens an instance that is drained and closed after the test. */
    async function open(t: TestContext, context?: OpenContext): Promise<Touchable> {
      const backend = await openForTest(t, target, context);
      assert.equal(typeof backend.touch, 'function', `${name} has touch`);
      return backend as Touchable;
    }

    it('a live session: lastAccessedAt = max, version + 1, nothing else; fetch agrees; the expiry moves with it', async (t) => {
      const b = await open(t);
      const s = session('a', {
        metadata: {
          user: 'u1',
          n: -1.5e-7,
          big: 2 ** 53 - 1,
          s: 'ü\u0000"\\\ud800',
          nested: { list: [1, null, true] },
        },
      });
      await b.store(s);
      const touched = await b.touch('a', 2500, 2999);
      assert.deepEqual(touched, { ...s, lastAccessedAt: 2500, version: 2 });
      assert.deepEqual(await b.fetch('a', 2500), touched);
      // The caller's own copy.
      touched!.metadata.user = 'mutated';
      assert.equal((await b.fetch('a', 2500))!.metadata.user, 'u1');
      // Expiry (and any expiry index) moved to 2500 + 1000.
      assert.deepEqual(await b.list(3499), ['a']);
      assert.equal(await b.cleanupExpired(3499), 0);
      assert.equal(await b.fetch('a', 3500), undefined);
      assert.equal(await b.cleanupExpired(3500), 1);
    });

    it('lastAccessedAt never goes back: an older one keeps the stored time and still bumps the version', async (t) => {
      const b = await open(t);
      await b.store(session('a', { lastAccessedAt: 5000 }));
      // `now` before the stored access too: a clock that stepped back.
      assert.deepEqual(await b.touch('a', 4000, 4000), session('a', { lastAccessedAt: 5000, version: 2 }));
      assert.deepEqual(await b.touch('a', 0, 5999), session('a', { lastAccessedAt: 5000, version: 3 }));
      assert.deepEqual(await b.fetch('a', 5000), session('a', { lastAccessedAt: 5000, version: 3 }));
      assert.equal(await b.fetch('a', 6000), undefined);
    });

    it('never revives: not at the expiry instant or after, nor after delete or cleanupExpired', async (t) => {
      const b = await open(t);
      await b.store(session('a')); // expires at 3000
      assert.equal(await b.touch('a', 3000, 3000), undefined);
      assert.equal(await b.touch('a', 9000, 5000), undefined);
      assert.deepEqual(await b.fetch('a', 2999), session('a'));
      assert.equal(await b.cleanupExpired(3000), 1);
      assert.equal(await b.touch('a', 2500, 2500), undefined);
      assert.equal(await b.fetch('a', 2500), undefined);
      await b.store(session('d'));
      assert.equal(await b.delete('d'), true);
      assert.equal(await b.touch('d', 2500, 2500), undefined);
      assert.equal(await b.fetch('d', 2500), undefined);
      assert.equal(await b.touch('never-stored', 2000, 2000), undefined);
      assert.deepEqual(await b.list(0), []);
      await b.store(session('zero', { createdAt: 0, lastAccessedAt: 0, timeoutMs: 0 }));
      assert.equal(await b.touch('zero', 0, 0), undefined);
      assert.equal(await b.cleanupExpired(0), 1);
    });

    it('a session that never expires is touched at any now and still never expires', async (t) => {
      const b = await open(t);
      await b.store(session('f', { timeoutMs: null }));
      assert.deepEqual(
        await b.touch('f', MAX - 1, MAX),
        session('f', { timeoutMs: null, lastAccessedAt: MAX - 1, version: 2 }),
      );
      assert.deepEqual(await b.list(MAX), ['f']);
      assert.equal(await b.cleanupExpired(MAX), 0);
    });

    it("refuses bad arguments with DESIGN's codes and changes nothing", async (t) => {
      const b = await open(t);
      await b.store(session('a'));
      for (const id of ['', 'x'.repeat(257), 42, null, undefined])
        await rejectsWith(b.touch(id as string, 2000, 2000), 'INVALID_ID');
      for (const bad of [-1, 1.5, Number.NaN, Infinity, -0, 2 ** 53, '2000', null, undefined]) {
        await rejectsWith(b.touch('a', bad as number, 2000), 'INVALID_SESSION');
        await rejectsWith(b.touch('a', 2000, bad as number), 'INVALID_SESSION');
      }
      assert.deepEqual(await b.fetch('a', 2000), session('a'));
    });

    it('refuses INVALID_SESSION at the safe-integer limits (version, expiry) and changes nothing', async (t) => {
      const b = await open(t);
      const last = session('v', { version: MAX, timeoutMs: null });
      await b.store(last);
      await rejectsWith(b.touch('v', 3000, 3000), 'INVALID_SESSION');
      assert.deepEqual(await b.fetch('v', 3000), last);
      const edge = session('e', { lastAccessedAt: MAX - 1000, timeoutMs: 1000 }); // expires at exactly MAX
      await b.store(edge);
      await rejectsWith(b.touch('e', MAX - 999, MAX - 1), 'INVALID_SESSION');
      assert.deepEqual(await b.fetch('e', MAX - 1), edge);
      assert.deepEqual(await b.touch('e', MAX - 1000, MAX - 1), { ...edge, version: 2 });
    });

    it('refuses TOO_LARGE when the touched record would pass the size limit, and changes nothing', async (t) => {
      const b = await open(t, target.context(undefined, { maxSessionBytes: 300 }));
      const pad = 300 - JSON.stringify(session('big', { version: 9, metadata: { blob: '' } })).length;
      const big = session('big', { version: 9, metadata: { blob: 'x'.repeat(pad) } }); // exactly 300 bytes
      await b.store(big);
      await rejectsWith(b.touch('big', 2000, 2000), 'TOO_LARGE'); // version 10 is one byte more
      assert.deepEqual(await b.fetch('big', 2000), big);
    });

    it('a closed backend rejects with CLOSED, before looking at the arguments', async (t) => {
      const b = await open(t);
      await b.store(session('a'));
      await b.close();
      await rejectsWith(b.touch('a', 2000, 2000), 'CLOSED');
      await rejectsWith(b.touch('', -1, -1), 'CLOSED');
    });

    it('concurrent touches on one id all apply', async (t) => {
      const b = await open(t);
      await b.store(session('a', { timeoutMs: null }));
      const two = await Promise.all([b.touch('a', 2100, 2000), b.touch('a', 2050, 2000)]);
      assert.deepEqual(two.map((s) => s!.version).sort(), [2, 3]);
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) => b.touch('a', 3000 + i, 2000)));
      assert.deepEqual(
        results.map((s) => s!.version).sort((x, y) => x - y),
        Array.from({ length: 16 }, (_, i) => i + 4),
      );
      assert.deepEqual(await b.fetch('a', 0), session('a', { timeoutMs: null, lastAccessedAt: 3015, version: 19 }));
    });

    it('shared: touches from two instances at once all apply', async (t) => {
      if (!target.module.capabilities.shared) return t.skip('not shared');
      const context = target.context();
      const one = await open(t, context);
      const two = (await target.module.open(context)) as Touchable;
      t.after(() => two.close());
      await one.store(session('a', { timeoutMs: null }));
      const n = 20;
      await Promise.all(
        Array.from({ length: n }, (_, i) => [
          one.touch('a', 3000 + i, 3000),
          two.touch('a', 3000 + n + i, 3000),
        ]).flat(),
      );
      assert.deepEqual(
        await two.fetch('a', 0),
        session('a', { timeoutMs: null, lastAccessedAt: 3000 + 2 * n - 1, version: 1 + 2 * n }),
      );
    });

    it('shared: touches from two processes at once all apply', async (t) => {
      if (!target.module.capabilities.shared || target.moduleFile === undefined)
        return t.skip('not shared, or no module file');
      const context = target.context();
      const b = await open(t, context);
      await b.store(session('a', { timeoutMs: null }));
      const times = 50;
      await raceInTwoChildren(target.moduleFile, context, { op: 'touch', id: 'a', now: 5000, times });
      assert.deepEqual(
        await b.fetch('a', 0),
        session('a', { timeoutMs: null, lastAccessedAt: 5000, version: 1 + 2 * times }),
      );
    });
  });
}

const key = newEncryptionKey();
touchTests('memory', () => dirTarget(backendFile('memory')));
touchTests('sqlite', () => dirTarget(backendFile('sqlite')));
touchTests('sqlite (checksum: false)', () => dirTarget(backendFile('sqlite'), { checksum: false }));
touchTests('lmdb', () => dirTarget(backendFile('lmdb')));
touchTests('sqlite+aes', async () => moduleTarget(encrypted(sqlite, { key })));
touchTests('lmdb+aes', async () => moduleTarget(encrypted(lmdb, { key })));

const provided = await provideRedis();
after(() => ('skipped' in provided ? undefined : provided.stop()));
const noRedis = 'skipped' in provided ? provided.skipped : undefined;
const url = 'skipped' in provided ? '' : provided.url;
touchTests('redis', () => dirTarget(backendFile('redis'), { url }), { skip: noRedis });
touchTests('redis+aes', async () => moduleTarget(encrypted(redis, { key }), { url }), { skip: noRedis });

const cluster = await provideRedisCluster();
after(() => ('skipped' in cluster ? undefined : cluster.stop()));
const noCluster = 'skipped' in cluster ? cluster.skipped : undefined;
const nodes = 'skipped' in cluster ? [] : cluster.nodes;
touchTests('redis-cluster', () => dirTarget(backendFile('redis-cluster'), { nodes }), { skip: noCluster });
touchTests('redis-cluster (replicas: 1)', () => dirTarget(backendFile('redis-cluster'), { nodes, replicas: 1 }), {
  skip: noCluster,
});

describe('redis touch moves the expiry index and the native safety net as store does', { skip: noRedis }, () => {
  test('index score = new expiry; safety net and PEXPIREAT = new expiry + margin', async (t) => {
    const namespace = `touch-${randomUUID()}`;
    const b = (await redis.open({ dir: '', namespace, options: { url } })) as Touchable;
    const raw = new Redis(url);
    t.after(async () => {
      await drain(b);
      await b.close();
      raw.disconnect();
    });
    const keys = new RedisKeys(namespace);
    const start = Date.now();
    await b.store(session('a', { createdAt: start, lastAccessedAt: start, timeoutMs: 60_000 }));
    const later = start + 10 * 24 * 60 * 60 * 1000; // past the server clock + margin, so the net follows the expiry
    await b.touch('a', later, start);
    const expiry = later + 60_000;
    assert.equal(Number(await raw.zscore(keys.index, keys.member('a'))), expiry);
    assert.equal(Number(await raw.zscore(keys.safetyNet, keys.member('a'))), expiry + SAFETY_NET_MS);
    const ttl = await raw.pttl(keys.session('a'));
    assert.ok(Math.abs(start + ttl - (expiry + SAFETY_NET_MS)) < 60_000, `pttl ${ttl}`);
    assert.equal(await raw.hget(keys.session('a'), 'v'), '2');
    // A record not in encodeSession's layout is CORRUPT to the script, which then writes nothing.
    const damaged = JSON.stringify(session('a')).replace('"version":1', '"version":"1"');
    await raw.hset(keys.session('a'), 'd', damaged);
    await rejectsWith(b.touch('a', later, start), 'CORRUPT');
    assert.deepEqual([await raw.hget(keys.session('a'), 'd'), await raw.hget(keys.session('a'), 'v')], [damaged, '2']);
  });
});

describe('sqlite touch on records as they are on disk', () => {
  async function withRecord(
    t: TestContext,
    body: (s: Session) => string,
  ): Promise<{ b: Touchable; db: Database.Database; read: () => string }> {
    const target = moduleTarget(sqlite);
    const context = target.context();
    const b = (await sqlite.open(context)) as Touchable;
    const db = new Database(path.join(context.dir, DB_FILE));
    t.after(async () => {
      db.close();
      await b.close();
      await target.cleanup();
    });
    await b.store(session('a'));
    const where = [idKey(context.namespace), idKey('a')];
    db.prepare('UPDATE sessions SET body = ? WHERE ns = ? AND key = ?').run(body(session('a')), ...where);
    return {
      b,
      db,
      read: () =>
        db
          .prepare('SELECT body FROM sessions WHERE ns = ? AND key = ?')
          .pluck()
          .get(...where) as string,
    };
  }

  test('a valid record in another field order is encoded anew, not edited', async (t) => {
    const { b } = await withRecord(t, (s) =>
      sealRecord(
        JSON.stringify({
          metadata: s.metadata,
          version: s.version,
          id: s.id,
          timeoutMs: s.timeoutMs,
          lastAccessedAt: s.lastAccessedAt,
          createdAt: s.createdAt,
        }),
      ),
    );
    assert.deepEqual(await b.touch('a', 2500, 2500), session('a', { lastAccessedAt: 2500, version: 2 }));
    assert.deepEqual(await b.fetch('a', 2500), session('a', { lastAccessedAt: 2500, version: 2 }));
  });

  test('a record failing its checksum is CORRUPT and stays as it was', async (t) => {
    const damaged = (s: Session): string => sealRecord(JSON.stringify(s)).replace('"u1"', '"u2"');
    const { b, read } = await withRecord(t, damaged);
    await rejectsWith(b.touch('a', 2500, 2500), 'CORRUPT');
    assert.equal(read(), damaged(session('a')));
  });
});

describe('SessionManager and backend.touch', () => {
  const T0 = 1_700_000_000_000;

  /** memory, with every contract call counted; `withTouch: false` hides its touch. */
  async function counted(
    withTouch: boolean,
  ): Promise<{ backend: SessionBackend; calls: string[]; touches: unknown[][] }> {
    const inner = await memory.open({ dir: '', namespace: 'touch-manager' });
    const calls: string[] = [];
    const touches: unknown[][] = [];
    const plain = wrapCalls(inner, (call) => (...args) => {
      calls.push(call.name.replace('bound ', ''));
      return call(...args);
    });
    if (!withTouch) return { backend: plain, calls, touches };
    const touch = (id: string, lastAccessedAt: number, now: number): Promise<Session | undefined> => {
      touches.push([id, lastAccessedAt, now]);
      return inner.touch!(id, lastAccessedAt, now);
    };
    return { backend: { ...plain, touch }, calls, touches };
  }

  test('uses the backend touch when present: one call, the clock as both times, monotonic, counted', async () => {
    const c = { now: T0 };
    const { backend, calls, touches } = await counted(true);
    const m = new SessionManager(backend, { clock: () => c.now, defaultTimeoutMs: 1000 });
    const s = await m.create();
    calls.length = 0;
    c.now = T0 + 500;
    assert.deepEqual(await m.touch(s.id), { ...s, lastAccessedAt: T0 + 500, version: 2 });
    c.now = T0 + 100; // the clock steps back
    assert.deepEqual(await m.touch(s.id), { ...s, lastAccessedAt: T0 + 500, version: 3 });
    assert.deepEqual(touches, [
      [s.id, T0 + 500, T0 + 500],
      [s.id, T0 + 100, T0 + 100],
    ]);
    assert.deepEqual(calls, []); // no fetch, no store
    c.now = T0 + 1500;
    assert.equal(await m.touch(s.id), undefined);
    assert.deepEqual([m.stats().touched, m.stats().conflictsRetried], [2, 0]);
    await m.close();
  });

  test('falls back to fetch + compare-and-set when the backend has no touch', async () => {
    const c = { now: T0 };
    const { backend, calls } = await counted(false);
    assert.equal(backend.touch, undefined);
    const m = new SessionManager(backend, { clock: () => c.now, defaultTimeoutMs: 1000 });
    const s = await m.create();
    calls.length = 0;
    c.now = T0 + 500;
    assert.deepEqual(await m.touch(s.id), { ...s, lastAccessedAt: T0 + 500, version: 2 });
    c.now = T0 + 100;
    assert.deepEqual(await m.touch(s.id), { ...s, lastAccessedAt: T0 + 500, version: 3 });
    assert.deepEqual(calls, ['fetch', 'store', 'fetch', 'store']);
    assert.equal(m.stats().touched, 2);
    await m.close();
  });

  test('two managers touching one shared session at once lose no touch', async (t) => {
    const dir = moduleTarget(sqlite);
    t.after(() => dir.cleanup());
    const context = dir.context();
    const [one, two] = [new SessionManager(await sqlite.open(context)), new SessionManager(await sqlite.open(context))];
    t.after(() => Promise.all([one.close(), two.close()]));
    const s = await one.create({ timeoutMs: null });
    await Promise.all(Array.from({ length: 10 }, () => [one.touch(s.id), two.touch(s.id)]).flat());
    assert.equal((await one.get(s.id))!.version, 21);
  });
});
