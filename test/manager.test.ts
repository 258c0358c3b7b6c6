import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { BackendModule, Session, SessionBackend, StoreOptions } from '../backends/contract.js';
import { SessionError } from '../backends/errors.js';
import { SessionManager, type CleanupOutcome, type ManagerOptions } from '../backends/manager.js';
import { DEFAULT_TIMEOUT_MS } from '../backends/manager-options.js';
import memory from '../backends/memory.js';
import { isSessionId } from '../backends/session-id.js';

const T0 = 1_700_000_000_000;

function virtualClock(start = T0): { now: number; clock: () => number } {
  const c = { now: start, clock: () => c.now };
  return c;
}

function openMemory(options?: Record<string, unknown>): Promise<SessionBackend> {
  return memory.open({ dir: tmpdir(), namespace: 'manager-test', options });
}

type Method = 'store' | 'fetch' | 'delete' | 'list' | 'cleanupExpired' | 'close';
type Hook = (method: Method, phase: 'before' | 'after', args: unknown[]) => void | Promise<void>;

/**
 * A real backend with a fault or another writer's interleaving injected at a chosen call
 * (the zoo's approach): every call still goes to the real store underneath.
 */
class Hooked implements SessionBackend {
  readonly calls: Method[] = [];
  hook: Hook = () => {};

  constructor(readonly inner: SessionBackend) {}

  count(method: Method): number {
    return this.calls.filter((m) => m === method).length;
  }

  async #run<T>(method: Method, args: unknown[], call: () => Promise<T>): Promise<T> {
    this.calls.push(method);
    await this.hook(method, 'before', args);
    const result = await call();
    await this.hook(method, 'after', args);
    return result;
  }

  store(session: Session, options?: StoreOptions): Promise<void> {
    return this.#run('store', [session, options], () => this.inner.store(session, options));
  }
  fetch(id: string, now: number): Promise<Session | undefined> {
    return this.#run('fetch', [id, now], () => this.inner.fetch(id, now));
  }
  delete(id: string): Promise<boolean> {
    return this.#run('delete', [id], () => this.inner.delete(id));
  }
  list(now: number): Promise<string[]> {
    return this.#run('list', [now], () => this.inner.list(now));
  }
  cleanupExpired(now: number): Promise<number> {
    return this.#run('cleanupExpired', [now], () => this.inner.cleanupExpired(now));
  }
  close(): Promise<void> {
    return this.#run('close', [], () => this.inner.close());
  }
}

async function hooked(): Promise<Hooked> {
  return new Hooked(await openMemory());
}

/** Throws UNAVAILABLE at the first `times` calls of `method` in `phase` ('after': the call landed, its reply was lost). */
function unavailable(method: Method, phase: 'before' | 'after', times: number): Hook {
  let left = times;
  return (m, p) => {
    if (m === method && p === phase && left > 0) {
      left--;
      throw new SessionError('UNAVAILABLE', 'injected: store unreachable');
    }
  };
}

function code(expected: string): (err: unknown) => boolean {
  return (err) => {
    assert.equal((err as { code?: unknown }).code, expected, String(err));
    return true;
  };
}

/** Lets pending promise callbacks run (setImmediate is never mocked here). */
function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function counter(meta: Session['metadata']): Session['metadata'] {
  return { ...meta, count: (meta.count as number) + 1 };
}

describe('options', () => {
  test('defaults: 30-minute timeout, Date.now clock, no counters', async () => {
    const m = new SessionManager(await openMemory());
    const before = Date.now();
    const s = await m.create();
    const after = Date.now();
    assert.equal(s.timeoutMs, DEFAULT_TIMEOUT_MS);
    assert.equal(DEFAULT_TIMEOUT_MS, 30 * 60 * 1000);
    assert.ok(s.createdAt >= before && s.createdAt <= after);
    assert.deepEqual(m.stats(), {
      created: 1,
      fetched: 0,
      touched: 0,
      updated: 0,
      expired: 0,
      deleted: 0,
      conflictsRetried: 0,
      unavailableRetried: 0,
      cleanupErrors: 0,
    });
    await m.close();
  });

  test('bad options are refused at construction with INVALID_SESSION', async () => {
    const backend = await openMemory();
    const bad: unknown[] = [
      null,
      [],
      { clock: 5 },
      { defaultTimeoutMs: -1 },
      { defaultTimeoutMs: 1.5 },
      { defaultTimeoutMs: '60' },
      { cleanupIntervalMs: 0 },
      { cleanupIntervalMs: 2 ** 31 },
      { cleanupIntervalMs: 2.5 },
      { maxRetries: -1 },
      { maxRetries: Infinity },
      { unavailableRetries: -0 },
      { backoffMs: NaN },
      { acceptCallerIds: 'yes' },
      { closeBackend: 1 },
      { onCleanup: 'log' },
      { cleanupInterval: 1000 },
    ];
    for (const options of bad) {
      assert.throws(
        () => new SessionManager(backend, options as ManagerOptions),
        code('INVALID_SESSION'),
        JSON.stringify(options),
      );
    }
    await backend.close();
  });

  test('a clock that is not integer ms is refused by the backend and writes nothing', async () => {
    const backend = await openMemory();
    const m = new SessionManager(backend, { clock: () => 1.5 });
    await assert.rejects(m.create(), code('INVALID_SESSION'));
    assert.deepEqual(await backend.list(0), []);
    await m.close();
  });
});

describe('create', () => {
  test('issues a 32-hex id, version 1, createdAt = lastAccessedAt = clock(), stored as returned', async () => {
    const c = virtualClock();
    const backend = await openMemory();
    const m = new SessionManager(backend, { clock: c.clock, defaultTimeoutMs: 5000 });
    const s = await m.create({ metadata: { user: 'ada', roles: ['admin'] } });
    assert.ok(isSessionId(s.id), s.id);
    assert.deepEqual(s, {
      id: s.id,
      createdAt: T0,
      lastAccessedAt: T0,
      timeoutMs: 5000,
      version: 1,
      metadata: { user: 'ada', roles: ['admin'] },
    });
    assert.deepEqual(await backend.fetch(s.id, T0), s);
    assert.equal((await m.create({ timeoutMs: null })).timeoutMs, null);
    assert.equal((await m.create({ timeoutMs: 7 })).timeoutMs, 7);
    assert.deepEqual((await m.create()).metadata, {});
    assert.equal(m.stats().created, 4);
    await m.close();
  });

  test('ids are unique across many creates', async () => {
    const m = new SessionManager(await openMemory());
    const ids = await Promise.all(Array.from({ length: 2000 }, async () => (await m.create()).id));
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.every(isSessionId));
    await m.close();
  });

  test("the returned session aliases neither the caller's metadata nor the store", async () => {
    const c = virtualClock();
    const backend = await openMemory();
    const m = new SessionManager(backend, { clock: c.clock });
    const metadata = { cart: { items: [1] } };
    const s = await m.create({ metadata });
    metadata.cart.items.push(2);
    assert.deepEqual(s.metadata, { cart: { items: [1] } });
    (s.metadata.cart as { items: number[] }).items.push(3);
    assert.deepEqual((await m.get(s.id))!.metadata, { cart: { items: [1] } });
    await m.close();
  });

  test('a caller id is refused unless acceptCallerIds, and nothing is written', async () => {
    const backend = await openMemory();
    const m = new SessionManager(backend);
    await assert.rejects(m.create({ id: 'chosen-by-caller' }), (err: unknown) => {
      assert.equal((err as SessionError).code, 'INVALID_ID');
      assert.match((err as Error).message, /acceptCallerIds/);
      return true;
    });
    assert.deepEqual(await backend.list(0), []);
    assert.equal(m.stats().created, 0);
    await m.close();
  });

  test('with acceptCallerIds: the caller id is used, a duplicate is CONFLICT and changes nothing', async () => {
    const c = virtualClock();
    const backend = await openMemory();
    const m = new SessionManager(backend, { clock: c.clock, acceptCallerIds: true });
    const first = await m.create({ id: 'user:42', metadata: { n: 1 } });
    assert.equal(first.id, 'user:42');
    c.now += 10;
    await assert.rejects(m.create({ id: 'user:42', metadata: { n: 2 } }), code('CONFLICT'));
    assert.deepEqual(await m.get('user:42'), first);
    await assert.rejects(m.create({ id: '' }), code('INVALID_ID'));
    await assert.rejects(m.create({ id: 'x'.repeat(257) }), code('INVALID_ID'));
    await assert.rejects(m.create({ id: 42 as unknown as string }), code('INVALID_ID'));
    assert.equal(m.stats().conflictsRetried, 0);
    await m.close();
  });

  test('invalid metadata, init or timeout: INVALID_SESSION and nothing written', async () => {
    const backend = await openMemory();
    const m = new SessionManager(backend);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const badMetadata: unknown[] = [
      null,
      [],
      'x',
      { f: () => 1 },
      { n: NaN },
      { d: new Date(0) },
      { b: 1n },
      cyclic,
      { u: undefined },
    ];
    for (const metadata of badMetadata) {
      await assert.rejects(m.create({ metadata: metadata as Session['metadata'] }), code('INVALID_SESSION'));
    }
    const badInit: unknown[] = [
      null,
      [],
      'init',
      { timeout: 5 },
      { timeoutMs: -1 },
      { timeoutMs: 1.5 },
      { timeoutMs: '5' },
      { timeoutMs: -0 },
    ];
    for (const init of badInit) {
      await assert.rejects(m.create(init as never), code('INVALID_SESSION'), JSON.stringify(init));
    }
    assert.deepEqual(await backend.list(0), []);
    assert.equal(m.stats().created, 0);
    await m.close();
  });

  test('over the backend size limit: TOO_LARGE and nothing written', async () => {
    const backend = await openMemory({ maxSessionBytes: 1024 });
    const m = new SessionManager(backend);
    await assert.rejects(m.create({ metadata: { blob: 'x'.repeat(2000) } }), code('TOO_LARGE'));
    assert.deepEqual(await backend.list(0), []);
    await m.close();
  });

  test('a generated id that collides (a real CONFLICT) is replaced by a fresh one', async () => {
    const c = virtualClock();
    const backend = await hooked();
    const squatter: Session = {
      id: '',
      createdAt: 1,
      lastAccessedAt: 1,
      timeoutMs: null,
      version: 3,
      metadata: { mine: true },
    };
    let collide = 1;
    backend.hook = async (method, phase, args) => {
      if (method === 'store' && phase === 'before' && collide-- > 0) {
        squatter.id = (args[0] as Session).id;
        await backend.inner.store(squatter);
      }
    };
    const m = new SessionManager(backend, { clock: c.clock });
    const s = await m.create();
    assert.notEqual(s.id, squatter.id);
    assert.deepEqual(await backend.inner.fetch(squatter.id, T0), squatter);
    assert.deepEqual(await backend.inner.fetch(s.id, T0), s);
    assert.equal(m.stats().conflictsRetried, 1);
    assert.equal(m.stats().created, 1);
    await m.close();
  });

  test('ids that keep colliding end in CONFLICT after maxRetries', async () => {
    const backend = await hooked();
    backend.hook = async (method, phase, args) => {
      if (method === 'store' && phase === 'before') {
        const { id } = args[0] as Session;
        await backend.inner.store({ id, createdAt: 1, lastAccessedAt: 1, timeoutMs: null, version: 1, metadata: {} });
      }
    };
    const m = new SessionManager(backend, { maxRetries: 2 });
    await assert.rejects(m.create(), code('CONFLICT'));
    assert.equal(backend.count('store'), 3);
    assert.equal(m.stats().conflictsRetried, 2);
    assert.equal(m.stats().created, 0);
    await m.close();
  });
});

describe('get, touch and expiry on a virtual clock', () => {
  test('get neither touches nor counts a miss', async () => {
    const c = virtualClock();
    const m = new SessionManager(await openMemory(), { clock: c.clock, defaultTimeoutMs: 1000 });
    const s = await m.create();
    c.now += 500;
    assert.deepEqual(await m.get(s.id), s);
    assert.equal(await m.get('0'.repeat(32)), undefined);
    assert.equal(m.stats().fetched, 1);
    await m.close();
  });

  test('live strictly before lastAccessedAt + timeoutMs, expired exactly at it; never resurrected', async () => {
    const c = virtualClock();
    const backend = await openMemory();
    const m = new SessionManager(backend, { clock: c.clock, defaultTimeoutMs: 1000 });
    const s = await m.create();
    c.now = T0 + 999;
    assert.ok(await m.get(s.id));
    assert.deepEqual(await m.list(), [s.id]);
    c.now = T0 + 1000;
    assert.equal(await m.get(s.id), undefined);
    assert.equal(await m.touch(s.id), undefined);
    assert.equal(await m.updateMetadata(s.id, { a: 1 }), undefined);
    assert.equal(await m.setTimeout(s.id, null), undefined);
    assert.deepEqual(await m.list(), []);
    // Nothing above rewrote it: the store still holds version 1, as created.
    assert.deepEqual(await backend.fetch(s.id, T0), s);
    const stats = m.stats();
    assert.deepEqual([stats.touched, stats.updated], [0, 0]);
    assert.equal(await m.cleanupExpired(), 1);
    assert.equal(await backend.fetch(s.id, T0), undefined);
    assert.equal(m.stats().expired, 1);
    await m.close();
  });

  test('touch: lastAccessedAt = now, version + 1, the rest unchanged, expiry pushed out', async () => {
    const c = virtualClock();
    const backend = await openMemory();
    const m = new SessionManager(backend, { clock: c.clock, defaultTimeoutMs: 1000 });
    const s = await m.create({ metadata: { k: 'v' } });
    c.now = T0 + 900;
    const t = await m.touch(s.id);
    assert.deepEqual(t, { ...s, lastAccessedAt: T0 + 900, version: 2 });
    assert.deepEqual(await backend.fetch(s.id, c.now), t);
    c.now = T0 + 1899;
    assert.ok(await m.get(s.id));
    c.now = T0 + 1900;
    assert.equal(await m.get(s.id), undefined);
    assert.equal(await m.touch('f'.repeat(32)), undefined);
    assert.equal(m.stats().touched, 1);
    await m.close();
  });

  test('a clock stepping backwards leaves lastAccessedAt where it was (touch, update, setTimeout)', async () => {
    const c = virtualClock();
    const m = new SessionManager(await openMemory(), { clock: c.clock, defaultTimeoutMs: 1000 });
    const s = await m.create();
    c.now = T0 + 500;
    await m.touch(s.id);
    c.now = T0 + 100;
    const t = await m.touch(s.id);
    assert.deepEqual([t!.lastAccessedAt, t!.version, t!.createdAt], [T0 + 500, 3, T0]);
    c.now = T0 - 50_000; // before createdAt
    const u = await m.updateMetadata(s.id, { a: 1 });
    assert.deepEqual([u!.lastAccessedAt, u!.version, u!.createdAt], [T0 + 500, 4, T0]);
    const v = await m.setTimeout(s.id, 10);
    assert.deepEqual([v!.lastAccessedAt, v!.version, v!.timeoutMs], [T0 + 500, 5, 10]);
    // Expiry still counts from the monotonic lastAccessedAt.
    c.now = T0 + 509;
    assert.ok(await m.get(s.id));
    c.now = T0 + 510;
    assert.equal(await m.get(s.id), undefined);
    await m.close();
  });
});

describe('updateMetadata', () => {
  test('a patch sets its keys, keeps the others, and is an access', async () => {
    const c = virtualClock();
    const backend = await openMemory();
    const m = new SessionManager(backend, { clock: c.clock });
    const s = await m.create({ metadata: { a: 1, b: { deep: true } } });
    c.now += 20;
    const u = await m.updateMetadata(s.id, { b: null, c: ['x'] });
    assert.deepEqual(u, { ...s, lastAccessedAt: T0 + 20, version: 2, metadata: { a: 1, b: null, c: ['x'] } });
    assert.deepEqual(await backend.fetch(s.id, c.now), u);
    assert.equal(m.stats().updated, 1);
    assert.equal(await m.updateMetadata('a'.repeat(32), { a: 1 }), undefined);
    assert.equal(m.stats().updated, 1);
    await m.close();
  });

  test('setting a key is idempotent and sets of different keys commute', async () => {
    const c = virtualClock();
    const m = new SessionManager(await openMemory(), { clock: c.clock });
    const x = await m.create({ metadata: { base: 0 } });
    const y = await m.create({ metadata: { base: 0 } });
    await m.updateMetadata(x.id, { a: 1 });
    const once = (await m.get(x.id))!.metadata;
    await m.updateMetadata(x.id, { a: 1 });
    assert.deepEqual((await m.get(x.id))!.metadata, once);
    await m.updateMetadata(x.id, { b: 2 });
    await m.updateMetadata(y.id, { b: 2 });
    await m.updateMetadata(y.id, { a: 1 });
    assert.deepEqual((await m.get(x.id))!.metadata, (await m.get(y.id))!.metadata);
    await m.close();
  });

  test('neither a patch nor a function can rewrite id, createdAt or version', async () => {
    const c = virtualClock();
    const backend = await openMemory();
    const m = new SessionManager(backend, { clock: c.clock });
    const s = await m.create();
    const hostile = { id: 'other', createdAt: 0, lastAccessedAt: 0, version: 99, timeoutMs: 1 };
    const u = await m.updateMetadata(s.id, hostile);
    assert.deepEqual(u, { ...s, version: 2, metadata: hostile });
    const v = await m.updateMetadata(s.id, () => ({ ...hostile, __proto__: 'x' }) as never);
    assert.deepEqual([v!.id, v!.createdAt, v!.version, v!.timeoutMs], [s.id, T0, 3, s.timeoutMs]);
    assert.equal(await backend.fetch('other', T0), undefined);
    await m.close();
  });

  test('an own __proto__ key in a patch is kept as plain data', async () => {
    const m = new SessionManager(await openMemory());
    const s = await m.create();
    const patch = JSON.parse('{"__proto__": {"polluted": true}}') as Session['metadata'];
    const u = await m.updateMetadata(s.id, patch);
    assert.deepEqual(Object.keys(u!.metadata), ['__proto__']);
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
    assert.deepEqual(Object.keys((await m.get(s.id))!.metadata), ['__proto__']);
    await m.close();
  });

  test('the function form removes keys and gets a copy it can mutate', async () => {
    const c = virtualClock();
    const backend = await openMemory();
    const m = new SessionManager(backend, { clock: c.clock });
    const s = await m.create({ metadata: { keep: 1, drop: 2, list: [1] } });
    const u = await m.updateMetadata(s.id, (meta) => {
      delete meta.drop;
      (meta.list as number[]).push(2);
      return meta;
    });
    assert.deepEqual(u!.metadata, { keep: 1, list: [1, 2] });
    assert.deepEqual((await backend.fetch(s.id, T0))!.metadata, { keep: 1, list: [1, 2] });
    // A function that mutates its copy and then fails writes nothing.
    await assert.rejects(
      m.updateMetadata(s.id, (meta) => {
        meta.keep = 'changed';
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual(await backend.fetch(s.id, T0), u);
    await m.close();
  });

  test('the returned session aliases neither the patch nor the function result', async () => {
    const m = new SessionManager(await openMemory());
    const s = await m.create();
    const value = { n: [1] };
    const u = await m.updateMetadata(s.id, { value });
    value.n.push(2);
    assert.deepEqual(u!.metadata, { value: { n: [1] } });
    const result = { value: { n: [7] } };
    const v = await m.updateMetadata(s.id, () => result);
    result.value.n.push(8);
    assert.deepEqual(v!.metadata, { value: { n: [7] } });
    assert.deepEqual((await m.get(s.id))!.metadata, { value: { n: [7] } });
    await m.close();
  });

  test('a bad patch is refused before the backend is asked anything', async () => {
    const backend = await hooked();
    const m = new SessionManager(backend);
    const s = await m.create({ metadata: { a: 1 } });
    const calls = backend.calls.length;
    const getter = Object.defineProperty({}, 'g', { get: () => 1, enumerable: true });
    const bad: unknown[] = [
      null,
      [1],
      'str',
      5,
      new Map([['a', 1]]),
      new Date(0),
      { u: undefined },
      { f: () => 1 },
      { n: Infinity },
      getter,
    ];
    for (const patch of bad) {
      await assert.rejects(m.updateMetadata(s.id, patch as never), code('INVALID_SESSION'), String(patch));
    }
    assert.equal(backend.calls.length, calls);
    assert.deepEqual((await m.get(s.id))!.metadata, { a: 1 });
    await m.close();
  });

  test('a function result that is not JSON metadata is refused by the backend; nothing changes', async () => {
    const backend = await openMemory();
    const m = new SessionManager(backend);
    const s = await m.create({ metadata: { a: 1 } });
    const bad: unknown[] = [undefined, null, [], 'x', { f: () => 1 }, { d: new Date(0) }, Promise.resolve({})];
    for (const result of bad) {
      await assert.rejects(
        m.updateMetadata(s.id, () => result as never),
        code('INVALID_SESSION'),
      );
    }
    assert.deepEqual(await m.get(s.id), s);
    assert.equal(m.stats().updated, 0);
    await m.close();
  });
});

describe('setTimeout', () => {
  test('sets the timeout counted from this access; null never expires; 0 expires at once', async () => {
    const c = virtualClock();
    const backend = await openMemory();
    const m = new SessionManager(backend, { clock: c.clock, defaultTimeoutMs: 1000 });
    const s = await m.create({ metadata: { k: 1 } });
    c.now = T0 + 100;
    const u = await m.setTimeout(s.id, 5000);
    assert.deepEqual(u, { ...s, lastAccessedAt: T0 + 100, timeoutMs: 5000, version: 2 });
    assert.deepEqual(await backend.fetch(s.id, c.now), u);
    c.now = T0 + 5099;
    assert.ok(await m.get(s.id));
    await m.setTimeout(s.id, null);
    c.now = Number.MAX_SAFE_INTEGER;
    assert.ok(await m.get(s.id));
    c.now = T0 + 6000;
    assert.equal((await m.setTimeout(s.id, 0))!.timeoutMs, 0);
    assert.equal(await m.get(s.id), undefined);
    assert.equal(m.stats().updated, 3);
    assert.equal(await m.setTimeout(s.id, 10), undefined);
    assert.equal(m.stats().updated, 3);
    await m.close();
  });

  test('a bad timeout is INVALID_SESSION before any backend call', async () => {
    const backend = await hooked();
    const m = new SessionManager(backend);
    const s = await m.create();
    const calls = backend.calls.length;
    for (const bad of [-1, 1.5, NaN, Infinity, -0, 2 ** 53, '10', undefined, {}]) {
      await assert.rejects(m.setTimeout(s.id, bad as never), code('INVALID_SESSION'), String(bad));
    }
    assert.equal(backend.calls.length, calls);
    await m.close();
  });

  test('a timeout whose expiry overflows is refused by the backend and changes nothing', async () => {
    const c = virtualClock();
    const m = new SessionManager(await openMemory(), { clock: c.clock });
    const s = await m.create();
    await assert.rejects(m.setTimeout(s.id, Number.MAX_SAFE_INTEGER), code('INVALID_SESSION'));
    assert.deepEqual(await m.get(s.id), s);
    await m.close();
  });
});

describe('delete, list, cleanupExpired', () => {
  test('delete is truthful and counted; list shows live sessions only', async () => {
    const c = virtualClock();
    const m = new SessionManager(await openMemory(), { clock: c.clock });
    const a = await m.create({ timeoutMs: 10 });
    const b = await m.create({ timeoutMs: null });
    const d = await m.create({ timeoutMs: null });
    assert.deepEqual((await m.list()).sort(), [a.id, b.id, d.id].sort());
    assert.equal(await m.delete(d.id), true);
    assert.equal(await m.delete(d.id), false);
    assert.equal(await m.get(d.id), undefined);
    c.now += 10;
    assert.deepEqual(await m.list(), [b.id]);
    assert.equal(await m.cleanupExpired(), 1);
    assert.equal(await m.cleanupExpired(), 0);
    const stats = m.stats();
    assert.deepEqual([stats.deleted, stats.expired], [1, 1]);
    await assert.rejects(m.delete(''), code('INVALID_ID'));
    await m.close();
  });

  test('stats() is a copy', async () => {
    const m = new SessionManager(await openMemory());
    await m.create();
    const stats = m.stats();
    stats.created = 100;
    assert.equal(m.stats().created, 1);
    await m.close();
  });
});

describe('compare-and-set with retry', () => {
  test('a write slipped in between read and write is kept, and the change is redone on top', async () => {
    const c = virtualClock();
    const backend = await hooked();
    const m = new SessionManager(backend, { clock: c.clock });
    const other = new SessionManager(backend.inner, { clock: c.clock, closeBackend: false });
    const s = await m.create({ metadata: { count: 0 } });
    let interleave = 1;
    backend.hook = async (method, phase) => {
      if (method === 'store' && phase === 'before' && interleave-- > 0)
        await other.updateMetadata(s.id, { other: true });
    };
    const u = await m.updateMetadata(s.id, counter);
    assert.deepEqual(u!.metadata, { count: 1, other: true });
    assert.equal(u!.version, 3);
    assert.deepEqual(await m.get(s.id), u);
    assert.equal(m.stats().conflictsRetried, 1);
    await m.close();
  });

  test('a session deleted between read and write is not resurrected', async () => {
    const backend = await hooked();
    const m = new SessionManager(backend);
    const s = await m.create();
    backend.hook = async (method, phase) => {
      if (method === 'store' && phase === 'before') await backend.inner.delete(s.id);
    };
    assert.equal(await m.touch(s.id), undefined);
    assert.deepEqual(await backend.inner.list(0), []);
    assert.equal(m.stats().conflictsRetried, 1);
    await m.close();
  });

  test('conflicts on every attempt end in CONFLICT after maxRetries, leaving the other writes', async () => {
    const backend = await hooked();
    const m = new SessionManager(backend, { maxRetries: 3 });
    const s = await m.create({ metadata: { count: 0 } });
    backend.hook = async (method, phase) => {
      if (method === 'store' && phase === 'before') {
        const current = (await backend.inner.fetch(s.id, 0))!;
        await backend.inner.store({ ...current, version: current.version + 1, metadata: counter(current.metadata) });
      }
    };
    await assert.rejects(m.touch(s.id), code('CONFLICT'));
    assert.equal(m.stats().conflictsRetried, 3);
    assert.equal(backend.count('store'), 1 + 4);
    const stored = (await backend.inner.fetch(s.id, 0))!;
    assert.deepEqual([stored.version, stored.metadata.count, stored.lastAccessedAt], [5, 4, s.lastAccessedAt]);
    await m.close();
  });
});

/** Two managers, each on its own handle of one shared store, update one session at once. */
async function assertNoLostUpdates(a: SessionBackend, b: SessionBackend): Promise<number> {
  const options = { maxRetries: 1000, closeBackend: false };
  const managers = [new SessionManager(a, options), new SessionManager(b, options)];
  const { id } = await managers[0]!.create({ metadata: { count: 0 } });
  const perManager = 20;
  await Promise.all(
    managers.flatMap((m, k) =>
      Array.from({ length: perManager }, (_, i) =>
        i % 2 === 0 ? m.updateMetadata(id, counter) : m.updateMetadata(id, { [`m${k}-${i}`]: i }),
      ),
    ),
  );
  const final = (await managers[1]!.get(id))!;
  const expected: Session['metadata'] = { count: perManager };
  for (const k of [0, 1]) for (let i = 1; i < perManager; i += 2) expected[`m${k}-${i}`] = i;
  assert.deepEqual(final.metadata, expected);
  assert.equal(final.version, 1 + 2 * perManager);
  assert.equal(await managers[0]!.delete(id), true);
  for (const m of managers) await m.close();
  return managers.reduce((sum, m) => sum + m.stats().conflictsRetried, 0);
}

async function loadIfPresent(file: string): Promise<BackendModule | undefined> {
  const path = new URL(`../backends/${file}`, import.meta.url);
  if (!existsSync(path)) return undefined;
  return ((await import(`../backends/${file.replace(/\.ts$/, '.js')}`)) as { default: BackendModule }).default;
}

function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1000 });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

describe('two managers on one shared backend lose no update', () => {
  test('memory (one instance, two managers)', async () => {
    const backend = await openMemory();
    const conflicts = await assertNoLostUpdates(backend, backend);
    assert.ok(conflicts > 0, 'the updates should have contended');
    await backend.close();
  });

  test('sqlite (two instances on one file)', async (t) => {
    const sqlite = await loadIfPresent('sqlite.ts');
    if (sqlite === undefined) return t.skip('backends/sqlite.ts not written yet');
    const dir = mkdtempSync(join(tmpdir(), 'manager-sqlite-'));
    try {
      const a = await sqlite.open({ dir, namespace: 'shared' });
      const b = await sqlite.open({ dir, namespace: 'shared' });
      await assertNoLostUpdates(a, b);
      await a.close();
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('redis (two clients, 127.0.0.1:6379)', async (t) => {
    const redis = await loadIfPresent('redis.ts');
    if (redis === undefined) return t.skip('backends/redis.ts not written yet');
    if (!(await redisAnswers(6379))) return t.skip('no Redis answers on 127.0.0.1:6379');
    const context = {
      dir: tmpdir(),
      namespace: `manager-test-${process.pid}-${Date.now()}`,
      options: { url: 'redis://127.0.0.1:6379' },
    };
    const a = await redis.open(context);
    const b = await redis.open(context);
    try {
      await assertNoLostUpdates(a, b);
      assert.deepEqual(await a.list(0), []);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('UNAVAILABLE', { timeout: 10_000 }, () => {
  test('by default it is not retried', async () => {
    const backend = await hooked();
    const m = new SessionManager(backend);
    const s = await m.create();
    backend.hook = unavailable('fetch', 'before', 1);
    await assert.rejects(m.get(s.id), code('UNAVAILABLE'));
    assert.ok(await m.get(s.id));
    assert.equal(m.stats().unavailableRetried, 0);
    await m.close();
  });

  test('retried up to unavailableRetries, then passed on', async () => {
    const backend = await hooked();
    const m = new SessionManager(backend, { unavailableRetries: 2, backoffMs: 0 });
    const s = await m.create();
    backend.hook = unavailable('fetch', 'before', 2);
    assert.ok(await m.get(s.id));
    assert.equal(m.stats().unavailableRetried, 2);
    backend.hook = unavailable('list', 'before', 3);
    await assert.rejects(m.list(), code('UNAVAILABLE'));
    assert.equal(m.stats().unavailableRetried, 4);
    for (const [method, call] of [
      ['store', () => m.touch(s.id)],
      ['cleanupExpired', () => m.cleanupExpired()],
      ['delete', () => m.delete(s.id)],
    ] as const) {
      backend.hook = unavailable(method, 'before', 1);
      assert.ok((await call()) !== undefined, method);
    }
    assert.equal(m.stats().unavailableRetried, 7);
    await m.close();
  });

  test('the backoff doubles: backoffMs, 2x, 4x (mock timers)', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const backend = await hooked();
    const m = new SessionManager(backend, { unavailableRetries: 3, backoffMs: 100 });
    const s = await m.create();
    backend.hook = unavailable('fetch', 'before', 3);
    const pending = m.get(s.id);
    await drain();
    for (const wait of [100, 200, 400]) {
      const fetches = backend.count('fetch');
      t.mock.timers.tick(wait - 1);
      await drain();
      assert.equal(backend.count('fetch'), fetches, `still waiting before ${wait} ms`);
      t.mock.timers.tick(1);
      await drain();
      assert.equal(backend.count('fetch'), fetches + 1, `retried after ${wait} ms`);
    }
    assert.deepEqual(await pending, s);
    await m.close();
  });

  test('a write that landed with its reply lost is not applied twice', async () => {
    const backend = await hooked();
    const m = new SessionManager(backend, { unavailableRetries: 1, backoffMs: 0 });
    const s = await m.create({ metadata: { count: 0 } });
    backend.hook = unavailable('store', 'after', 1);
    const u = await m.updateMetadata(s.id, counter);
    assert.deepEqual([u!.metadata.count, u!.version], [1, 2]);
    assert.deepEqual(await m.get(s.id), u);
    assert.deepEqual([m.stats().unavailableRetried, m.stats().conflictsRetried], [1, 0]);
    await m.close();
  });

  test('a create that landed with its reply lost is neither duplicated nor a CONFLICT', async () => {
    const backend = await hooked();
    const m = new SessionManager(backend, { unavailableRetries: 1, backoffMs: 0, acceptCallerIds: true });
    backend.hook = unavailable('store', 'after', 1);
    const s = await m.create();
    assert.deepEqual(await backend.inner.list(0), [s.id]);
    backend.hook = unavailable('store', 'after', 1);
    const named = await m.create({ id: 'named' });
    assert.deepEqual(await m.get('named'), named);
    assert.deepEqual([m.stats().created, m.stats().conflictsRetried], [2, 0]);
    await m.close();
  });

  test('a retried write that lost to another writer is redone on top of it', async () => {
    const backend = await hooked();
    const m = new SessionManager(backend, { unavailableRetries: 1, backoffMs: 0 });
    const s = await m.create({ metadata: { count: 0 } });
    let once = 1;
    backend.hook = async (method, phase) => {
      if (method === 'store' && phase === 'before' && once-- > 0) {
        await backend.inner.store({ ...s, version: 2, metadata: { count: 10 } });
        throw new SessionError('UNAVAILABLE', 'injected after another writer got in');
      }
    };
    const u = await m.updateMetadata(s.id, counter);
    assert.deepEqual([u!.metadata.count, u!.version], [11, 3]);
    assert.deepEqual([m.stats().unavailableRetried, m.stats().conflictsRetried], [1, 1]);
    await m.close();
  });
});

// A broken timer would leave `await reported` pending forever: fail instead.
describe('cleanup timer', { timeout: 10_000 }, () => {
  function timed(backend: SessionBackend, c: { clock: () => number }, extra: ManagerOptions = {}) {
    const outcomes: CleanupOutcome[] = [];
    let notify: (() => void) | undefined;
    const m = new SessionManager(backend, {
      clock: c.clock,
      cleanupIntervalMs: 10,
      defaultTimeoutMs: 100,
      onCleanup: (outcome) => {
        outcomes.push(outcome);
        notify?.();
      },
      ...extra,
    });
    /** Resolves when the next timed cleanup has reported. */
    const next = (): Promise<void> => new Promise((resolve) => (notify = resolve));
    return { m, outcomes, next };
  }

  test('removes expired sessions on each tick and counts them', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const c = virtualClock();
    const backend = await hooked();
    const { m, outcomes, next } = timed(backend, c);
    const keep = await m.create({ timeoutMs: null });
    await m.create();
    await m.create();
    t.mock.timers.tick(9);
    await drain();
    assert.equal(backend.count('cleanupExpired'), 0);
    c.now += 100;
    let reported = next();
    t.mock.timers.tick(1);
    await reported;
    assert.deepEqual(outcomes, [{ removed: 2 }]);
    assert.deepEqual(await backend.inner.list(c.now), [keep.id]);
    reported = next();
    t.mock.timers.tick(10);
    await reported;
    assert.deepEqual(outcomes, [{ removed: 2 }, { removed: 0 }]);
    assert.equal(m.stats().expired, 2);
    await m.close();
    t.mock.timers.tick(100);
    await drain();
    assert.equal(backend.count('cleanupExpired'), 2, 'close() stopped the timer');
  });

  test('a failing cleanup is counted and kept, never an unhandled rejection', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', listener);
    t.after(() => process.off('unhandledRejection', listener));
    const backend = await hooked();
    const { m, outcomes, next } = timed(backend, virtualClock());
    backend.hook = unavailable('cleanupExpired', 'before', 1);
    let reported = next();
    t.mock.timers.tick(10);
    await reported;
    await drain();
    assert.equal((outcomes[0] as { error: SessionError }).error.code, 'UNAVAILABLE');
    assert.equal((m.lastCleanupError as SessionError).code, 'UNAVAILABLE');
    assert.equal(m.stats().cleanupErrors, 1);
    assert.deepEqual(unhandled, []);
    // The timer goes on after a failure.
    reported = next();
    t.mock.timers.tick(10);
    await reported;
    assert.deepEqual(outcomes[1], { removed: 0 });
    assert.equal(m.stats().cleanupErrors, 1);
    await m.close();
  });

  test('an onCleanup that throws is kept as the cleanup error', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const backend = await hooked();
    const m = new SessionManager(backend, {
      cleanupIntervalMs: 10,
      onCleanup: () => {
        throw new Error('listener broke');
      },
    });
    t.mock.timers.tick(10);
    for (let i = 0; i < 100 && m.stats().cleanupErrors === 0; i++) await drain();
    assert.equal(m.stats().cleanupErrors, 1);
    assert.match((m.lastCleanupError as Error).message, /listener broke/);
    await m.close();
  });

  test('a slow cleanup skips ticks instead of piling up; close() waits for it, then closes the backend', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const backend = await hooked();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    backend.hook = (method, phase) => (method === 'cleanupExpired' && phase === 'before' ? gate : undefined);
    const { m, outcomes } = timed(backend, virtualClock());
    t.mock.timers.tick(10);
    await drain();
    t.mock.timers.tick(10);
    t.mock.timers.tick(10);
    await drain();
    assert.equal(backend.count('cleanupExpired'), 1);
    const closed = m.close();
    await drain();
    assert.deepEqual(await backend.inner.list(0), [], 'the backend is still open while the cleanup runs');
    release();
    await closed;
    assert.deepEqual(outcomes, [{ removed: 0 }]);
    await assert.rejects(backend.inner.list(0), code('CLOSED'));
  });

  test("the timer is unref'd: it never keeps the process alive", async (t) => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const m = new SessionManager(await openMemory(), { cleanupIntervalMs: 60_000 });
    t.after(() => m.close());
    assert.equal(timers(), before);
  });

  test('no timer without cleanupIntervalMs', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const backend = await hooked();
    const m = new SessionManager(backend, { cleanupIntervalMs: null });
    t.mock.timers.tick(2 ** 31);
    await drain();
    assert.equal(backend.count('cleanupExpired'), 0);
    await m.close();
  });
});

describe('close', () => {
  test('every method then rejects with CLOSED; close is idempotent and closes the backend once', async () => {
    const backend = await hooked();
    const m = new SessionManager(backend);
    const s = await m.create();
    const first = m.close();
    assert.equal(m.close(), first);
    await first;
    await m.close();
    assert.equal(backend.count('close'), 1);
    await assert.rejects(backend.inner.list(0), code('CLOSED'));
    const calls: Array<() => Promise<unknown>> = [
      () => m.create(),
      () => m.get(s.id),
      () => m.touch(s.id),
      () => m.updateMetadata(s.id, { a: 1 }),
      () => m.updateMetadata(s.id, (meta) => meta),
      () => m.setTimeout(s.id, 1),
      () => m.delete(s.id),
      () => m.list(),
      () => m.cleanupExpired(),
    ];
    for (const call of calls) await assert.rejects(call(), code('CLOSED'));
  });

  test('closeBackend: false leaves the backend open for its owner', async () => {
    const backend = await openMemory();
    const m = new SessionManager(backend, { closeBackend: false });
    const s = await m.create();
    await m.close();
    await assert.rejects(m.get(s.id), code('CLOSED'));
    assert.deepEqual(await backend.list(0), [s.id]);
    await backend.close();
  });

  test('a retry waiting out its backoff stops at close', async () => {
    const backend = await hooked();
    const m = new SessionManager(backend, { unavailableRetries: 5, backoffMs: 0, closeBackend: false });
    const s = await m.create();
    backend.hook = unavailable('fetch', 'before', 5);
    const pending = m.get(s.id);
    const closed = m.close();
    await assert.rejects(pending, code('CLOSED'));
    await closed;
    assert.equal(backend.count('fetch'), 1);
    await backend.inner.close();
  });
});
