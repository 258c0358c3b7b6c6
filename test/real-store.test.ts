// openRealStore: one promise face over express-session's real MemoryStore and a real Keyv, and
// the outcomes a misbehaving store gets (counted double callbacks, timeouts, throws).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RealStoreModule } from '../backends/contract.js';
import { openRealStore } from '../backends/stores/real-store.js';

const context = { dir: '/nonexistent', namespace: 'real-store-test' };

/** An express-session module over express-session's own MemoryStore (a real Store, callback style). */
const memoryStoreModule: RealStoreModule = {
  name: 'express-session MemoryStore',
  kind: 'express-session',
  capabilities: { persistent: false, shared: false },
  async open() {
    const { MemoryStore } = (await import('express-session')).default;
    return new MemoryStore();
  },
};

/** An express-session module whose store is `instance`, for the misbehaving stores below. */
function storeModule(instance: object): RealStoreModule {
  return {
    name: 'odd store',
    kind: 'express-session',
    capabilities: { persistent: false, shared: false },
    open: async () => instance,
  };
}

test('express-session MemoryStore: set, get without the cookie, all as a list, length, touch, destroy, clear', async () => {
  const store = await openRealStore(memoryStoreModule, context);
  assert.deepEqual(store.has, { touch: true, all: true, length: true, clear: true });
  assert.equal((await store.set('a', { user: 'ann', n: 1 }, 60_000)).status, 'ok');
  assert.equal((await store.set('b', { user: 'bob' }, 60_000)).status, 'ok');
  const got = await store.get('a');
  assert.equal(got.status, 'ok');
  assert.deepEqual(got.status === 'ok' && got.value, { user: 'ann', n: 1 });
  const missing = await store.get('nope');
  assert.deepEqual(missing.status === 'ok' && missing.value, undefined);
  const all = await store.all();
  assert.equal(all.status, 'ok');
  assert.deepEqual(all.status === 'ok' && all.value.map((data) => data.user).sort(), ['ann', 'bob']);
  const length = await store.length();
  assert.equal(length.status === 'ok' && length.value, 2);
  assert.equal((await store.touch('a', { user: 'ann', n: 1 }, 60_000)).status, 'ok');
  assert.equal((await store.destroy('a')).status, 'ok');
  const gone = await store.get('a');
  assert.equal(gone.status === 'ok' && gone.value, undefined);
  assert.equal((await store.clear()).status, 'ok');
  const empty = await store.length();
  assert.equal(empty.status === 'ok' && empty.value, 0);
  assert.deepEqual(store.extraCallbacks, []);
  assert.equal((await store.close()).status, 'ok');
});

test('express-session: the cookie carries the TTL as express-session sets it (maxAge, originalMaxAge, expires)', async () => {
  const seen: Record<string, unknown>[] = [];
  const store = await openRealStore(
    storeModule({
      get: (_sid: string, cb: (e: unknown, s?: unknown) => void) => cb(null, null),
      set: (_sid: string, sess: Record<string, unknown>, cb: (e?: unknown) => void) => {
        seen.push(sess);
        cb();
      },
      destroy: (_sid: string, cb: (e?: unknown) => void) => cb(),
    }),
    context,
  );
  const before = Date.now();
  await store.set('a', { user: 'ann', cookie: 'app field named cookie is replaced' }, 5_000);
  const cookie = seen[0]?.cookie as { originalMaxAge: number; maxAge: number; expires: Date };
  assert.equal(cookie.originalMaxAge, 5_000);
  assert.equal(cookie.maxAge, 5_000);
  assert.ok(cookie.expires instanceof Date);
  assert.ok(cookie.expires.getTime() >= before + 5_000 && cookie.expires.getTime() <= Date.now() + 5_000);
  assert.equal(seen[0]?.user, 'ann');
  assert.deepEqual(store.has, { touch: false, all: false, length: false, clear: false });
  assert.equal((await store.touch('a', {}, 1)).status, 'error');
});

test('express-session: an ENOENT error reads as no session; another error is an error', async () => {
  const store = await openRealStore(
    storeModule({
      get: (sid: string, cb: (e: unknown, s?: unknown) => void) =>
        cb(
          Object.assign(new Error(sid === 'x' ? 'no such file' : 'down'), {
            code: sid === 'x' ? 'ENOENT' : 'ECONNREFUSED',
          }),
        ),
      set: () => undefined,
      destroy: () => undefined,
    }),
    context,
  );
  const enoent = await store.get('x');
  assert.deepEqual(enoent.status === 'ok' && enoent.value, undefined);
  assert.equal(enoent.status, 'ok');
  const down = await store.get('y');
  assert.equal(down.status, 'error');
});

test('a callback called twice is counted, including a second call after the call timed out', async () => {
  let late: (() => void) | undefined;
  const store = await openRealStore(
    storeModule({
      get: (_sid: string, cb: (e: unknown, s?: unknown) => void) => {
        cb(null, { a: 1 });
        cb(null, { a: 2 });
        cb(null, { a: 3 });
      },
      set: (_sid: string, _sess: unknown, cb: (e?: unknown) => void) => {
        late = () => {
          cb();
          cb();
        };
      },
      destroy: (_sid: string, cb: (e?: unknown) => void) => cb(),
    }),
    context,
    { callTimeoutMs: 50 },
  );
  const got = await store.get('s');
  assert.deepEqual(got.status === 'ok' && got.value, { a: 1 });
  assert.deepEqual(store.extraCallbacks, ['get called back 3 times']);
  assert.equal((await store.set('s', {}, 1_000)).status, 'timeout');
  late?.();
  assert.deepEqual(store.extraCallbacks, ['get called back 3 times', 'set called back 2 times']);
});

test('a callback that never fires times out; a synchronous throw and a rejected promise are errors', async () => {
  const store = await openRealStore(
    storeModule({
      get: () => undefined,
      set: () => {
        throw new Error('sync');
      },
      destroy: async () => {
        throw new Error('rejected');
      },
    }),
    context,
    { callTimeoutMs: 50 },
  );
  assert.equal((await store.get('s')).status, 'timeout');
  const thrown = await store.set('s', {}, 1_000);
  assert.equal(thrown.status === 'error' && (thrown.error as Error).message, 'sync');
  const rejected = await store.destroy('s');
  assert.equal(rejected.status === 'error' && (rejected.error as Error).message, 'rejected');
});

test('a store that answers by promise and by callback (connect-redis 9 style) is not counted twice', async () => {
  const store = await openRealStore(
    storeModule({
      get: async (_sid: string, cb: (e: unknown, s?: unknown) => void) => cb(null, { a: 1 }),
      set: async (_sid: string, _sess: unknown, cb: (e?: unknown) => void) => cb(),
      destroy: async () => undefined,
    }),
    context,
  );
  const got = await store.get('s');
  assert.deepEqual(got.status === 'ok' && got.value, { a: 1 });
  assert.equal((await store.set('s', {}, 1_000)).status, 'ok');
  assert.equal((await store.destroy('s')).status, 'ok');
  assert.deepEqual(store.extraCallbacks, []);
});

test('Keyv (in-memory): get, set with ttl, delete, clear, all through its iterator; no touch or length', async () => {
  const store = await openRealStore(
    {
      name: 'keyv memory',
      kind: 'keyv',
      capabilities: { persistent: false, shared: false },
      async open() {
        const { default: Keyv } = await import('keyv');
        return new Keyv({ namespace: 'real-store-test' });
      },
    },
    context,
  );
  assert.deepEqual(store.has, { touch: false, all: true, length: false, clear: true });
  assert.equal((await store.set('a', { user: 'ann' }, 60_000)).status, 'ok');
  assert.equal((await store.set('b', { user: 'bob' }, 60_000)).status, 'ok');
  const got = await store.get('a');
  assert.deepEqual(got.status === 'ok' && got.value, { user: 'ann' });
  const all = await store.all();
  assert.deepEqual(all.status === 'ok' && all.value.map((data) => data.user).sort(), ['ann', 'bob']);
  assert.equal((await store.length()).status, 'error');
  assert.equal((await store.destroy('a')).status, 'ok');
  const gone = await store.get('a');
  assert.equal(gone.status, 'ok');
  assert.equal(gone.status === 'ok' && gone.value, undefined);
  assert.equal((await store.clear()).status, 'ok');
  const none = await store.all();
  assert.deepEqual(none.status === 'ok' && none.value, []);
  assert.equal((await store.close()).status, 'ok');
});

test('open refuses an instance without the kind’s methods, and a close that hangs times out', async () => {
  await assert.rejects(openRealStore(storeModule({ get() {} }), context), /has no set, destroy method/);
  const store = await openRealStore(
    { ...memoryStoreModule, close: () => new Promise<void>(() => undefined) },
    context,
    { callTimeoutMs: 50 },
  );
  assert.equal((await store.close()).status, 'timeout');
});
