// The redis backend on a real Redis: REDIS_URL, else 127.0.0.1:6379, else a private server.
// Every test works in its own namespace and its keys are deleted (and checked gone) afterwards.
// What every backend must do is in the shared contract (backend-contract.test.ts); this file
// covers the redis specifics: key scheme, safety net, scripts, damage, connection failures.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, describe, it, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Session, SessionBackend } from '../backends/contract.js';
import { errorCode } from '../backends/errors.js';
import redis, { SAFETY_NET_MS } from '../backends/redis.js';
import { RedisKeys } from '../backends/redis-keys.js';
import { provideRedis } from '../backends/servers/redis-provider.js';
import { freePort } from '../backends/servers/child-server.js';
import { rejectsWith } from './helpers/contract-cases.js';

const provided = await provideRedis();
const unavailable = 'skipped' in provided ? provided.skipped : undefined;
const url = 'skipped' in provided ? '' : provided.url;
after(() => ('skipped' in provided ? undefined : provided.stop()));

test(
  'a Redis answers when SESSIONBENCH_REQUIRE_REDIS=1',
  { skip: process.env.SESSIONBENCH_REQUIRE_REDIS !== '1' },
  () => {
    assert.equal(unavailable, undefined);
  },
);

function session(id: string, patch: Partial<Session> = {}): Session {
  return { id, createdAt: 1_000, lastAccessedAt: 1_000, timeoutMs: 60_000, version: 1, metadata: { id }, ...patch };
}

describe('redis backend', { skip: unavailable ?? false }, () => {
  const raw = unavailable === undefined ? new Redis(url, { lazyConnect: true, commandTimeout: 5_000 }) : undefined;
  const opened: SessionBackend[] = [];
  const used: RedisKeys[] = [];

  async function keysOf(keys: RedisKeys): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await raw!.scan(cursor, 'MATCH', keys.index.slice(0, -1) + '*', 'COUNT', 1000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    return found;
  }

  /** A backend on a fresh namespace (or a given one, to share it); closed and wiped after the test. */
  async function open(namespace: string = `sbtest-${randomUUID()}`, options: Record<string, unknown> = {}) {
    const backend = await redis.open({ dir: '', namespace, options: { url, ...options } });
    opened.push(backend);
    const keys = new RedisKeys(namespace);
    used.push(keys);
    return { backend, keys, namespace };
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => b.close()));
    for (const keys of used.splice(0)) {
      const left = await keysOf(keys);
      if (left.length > 0) await raw!.del(...left);
      assert.deepEqual(await keysOf(keys), [], 'no key of the namespace is left');
    }
  });

  after(() => raw?.disconnect());

  it('round-trips every field and implements every method', async () => {
    const { backend } = await open();
    const s = session('a', { metadata: { n: 1, s: 'x\u2028', nested: { list: [true, null, -2.5] } } });
    await backend.store(s);
    assert.deepEqual(await backend.fetch('a', 1_000), s);
    assert.equal(await backend.fetch('missing', 1_000), undefined);
    assert.deepEqual(await backend.list(1_000), ['a']);
    assert.equal(await backend.cleanupExpired(1_000), 0);
    assert.equal(await backend.delete('a'), true);
    assert.equal(await backend.delete('a'), false);
    assert.equal(await backend.fetch('a', 1_000), undefined);
    assert.deepEqual(await backend.list(1_000), []);
  });

  it('compare-and-set: 0 creates, the stored version updates, anything else is CONFLICT and changes nothing', async () => {
    const { backend } = await open();
    await rejectsWith(backend.store(session('a', { version: 2 }), { expectedVersion: 1 }), 'CONFLICT');
    assert.equal(await backend.fetch('a', 1_000), undefined);
    await backend.store(session('a'), { expectedVersion: 0 });
    await rejectsWith(backend.store(session('a', { metadata: { lost: true } }), { expectedVersion: 0 }), 'CONFLICT');
    await backend.store(session('a', { version: 2, metadata: { v: 2 } }), { expectedVersion: 1 });
    await rejectsWith(backend.store(session('a', { version: 3 }), { expectedVersion: 1 }), 'CONFLICT');
    assert.deepEqual(await backend.fetch('a', 1_000), session('a', { version: 2, metadata: { v: 2 } }));
    // A plain store is an upsert whatever the stored version.
    await backend.store(session('a', { version: 7 }));
    assert.equal((await backend.fetch('a', 1_000))!.version, 7);
  });

  it('expires exactly at lastAccessedAt + timeoutMs; CAS still sees the expired version', async () => {
    const { backend } = await open();
    await backend.store(session('a', { lastAccessedAt: 2_000, timeoutMs: 500 }));
    await backend.store(session('forever', { timeoutMs: null }));
    await backend.store(session('zero', { timeoutMs: 0 }));
    assert.ok(await backend.fetch('a', 2_499));
    assert.equal(await backend.fetch('a', 2_500), undefined);
    assert.equal(await backend.fetch('zero', 1_000), undefined);
    assert.ok(await backend.fetch('forever', Number.MAX_SAFE_INTEGER));
    assert.deepEqual((await backend.list(2_499)).sort(), ['a', 'forever']);
    assert.deepEqual(await backend.list(2_500), ['forever']);
    await rejectsWith(backend.store(session('a', { version: 2 }), { expectedVersion: 0 }), 'CONFLICT');
    await backend.store(session('a', { version: 2, lastAccessedAt: 3_000, timeoutMs: 500 }), { expectedVersion: 1 });
    assert.ok(await backend.fetch('a', 3_499), 'a rewrite moves the expiry');
  });

  it('cleanupExpired removes exactly the expired sessions, in batches, and counts them', async () => {
    const { backend } = await open(undefined, { cleanupBatch: 3 });
    for (let i = 0; i < 10; i++) await backend.store(session(`old${i}`, { timeoutMs: 100 + i }));
    await backend.store(session('boundary', { timeoutMs: 200 }));
    await backend.store(session('live', { timeoutMs: 201 }));
    await backend.store(session('forever', { timeoutMs: null }));
    assert.equal(await backend.cleanupExpired(1_200), 11);
    assert.equal(await backend.cleanupExpired(1_200), 0);
    assert.deepEqual((await backend.list(0)).sort(), ['forever', 'live']);
    assert.equal(await backend.cleanupExpired(Number.MAX_SAFE_INTEGER), 1);
    assert.deepEqual(await backend.list(0), ['forever']);
  });

  it('sets the native expiry as a safety net only: a day past the logical expiry and the server clock', async () => {
    const { backend, keys } = await open();
    await backend.store(session('a'));
    const ttl = await raw!.pttl(keys.session('a'));
    assert.ok(ttl > SAFETY_NET_MS - 60_000 && ttl <= SAFETY_NET_MS, `pttl ${ttl}`);
    const far = Date.now() + 10 * SAFETY_NET_MS;
    await backend.store(session('a', { version: 2, lastAccessedAt: far, timeoutMs: 1_000 }));
    const deadline = await raw!.pexpiretime(keys.session('a'));
    assert.ok(deadline >= far + 1_000 + SAFETY_NET_MS);
    assert.equal(Number(await raw!.zscore(keys.safetyNet, keys.member('a'))), deadline, 'the deadline is indexed');
    const last = Number.MAX_SAFE_INTEGER;
    await backend.store(session('a', { version: 3, lastAccessedAt: last - 1, timeoutMs: 1 }));
    assert.ok((await raw!.pexpiretime(keys.session('a'))) >= last);
    assert.deepEqual(await backend.list(last - 1), ['a']);
    assert.deepEqual(await backend.list(last), []);
    await backend.store(session('a', { version: 4, timeoutMs: null }));
    assert.equal(await raw!.pttl(keys.session('a')), -1, 'a never-expiring session loses the TTL');
  });

  it('tolerates hashes the safety net removed: list drops their members, cleanup does not count them', async () => {
    const { backend, keys } = await open(undefined, { cleanupBatch: 2 });
    const gone = ['g1', 'g2', 'g3', 'g4', 'g5'];
    for (const id of [...gone, 'kept']) await backend.store(session(id, { timeoutMs: 100 }));
    await backend.store(session('forever', { timeoutMs: null }));
    assert.equal(await raw!.zscore(keys.safetyNet, keys.member('forever')), null, 'no safety net without an expiry');
    // What the safety net does when its time comes: the hash expires natively, its members stay.
    for (const id of gone) {
      await raw!.pexpireat(keys.session(id), 1);
      await raw!.zadd(keys.safetyNet, 1, keys.member(id));
    }
    assert.deepEqual((await backend.list(0)).sort(), ['forever', 'kept']);
    assert.equal(await raw!.zcard(keys.index), 2, 'list dropped the members of removed hashes, in batches');
    for (const id of gone) await backend.store(session(id, { timeoutMs: 100 }));
    for (const id of gone) await raw!.pexpireat(keys.session(id), 1);
    assert.equal(await backend.delete('g1'), false);
    assert.equal(await backend.cleanupExpired(5_000), 1, 'only kept was removed; g2..g5 were already gone');
    assert.equal(await raw!.zcard(keys.index), 1);
    assert.equal(await raw!.zcard(keys.safetyNet), 0);
  });

  it('ids with glob, separator, brace, space, NUL, surrogate and other unicode characters never touch each other', async () => {
    const { backend, keys } = await open(`sbtest-{weird}:*?[ns]-${randomUUID()}`);
    const ids = [
      '*',
      '?',
      '[',
      '[a-z]',
      ':',
      'a:b',
      '{',
      '}',
      '{a}',
      '}{',
      ' ',
      'a b',
      '\0',
      'a\0b',
      '\uD800',
      '\uDC00',
      '\uDBFF',
      '\uFFFD',
      'é',
      'e\u0301',
      '😀',
      '"',
      '\\',
      '"a"',
      's:"x"',
      '\n',
      'i',
      's',
      'x'.repeat(256),
    ];
    for (const [i, id] of ids.entries()) await backend.store(session(id, { metadata: { i } }), { expectedVersion: 0 });
    assert.deepEqual((await backend.list(1_000)).sort(), [...ids].sort());
    for (const [i, id] of ids.entries()) assert.deepEqual((await backend.fetch(id, 1_000))!.metadata, { i });
    assert.equal(await backend.delete('*'), true);
    assert.equal(await backend.delete('\uD800'), true);
    assert.equal((await backend.list(1_000)).length, ids.length - 2);
    assert.deepEqual((await backend.fetch('\uDC00', 1_000))!.metadata, { i: ids.indexOf('\uDC00') });
    // One hash tag, free of braces, leads every key: one cluster slot per namespace.
    const tag = keys.index.slice(0, keys.index.indexOf('}') + 1);
    assert.match(tag, /^sb:\{[A-Za-z0-9_-]+\}$/);
    const all = await keysOf(keys);
    assert.equal(all.length, ids.length - 2 + 2, 'the sessions and the two indexes');
    for (const key of all) assert.ok(key.startsWith(tag + ':'), key);
  });

  it('namespaces are isolated, and two instances on one namespace share everything', async () => {
    const { backend: a, namespace } = await open();
    const { backend: b } = await open(namespace);
    const { backend: other } = await open();
    await a.store(session('x'));
    assert.deepEqual(await b.fetch('x', 1_000), session('x'));
    assert.equal(await other.fetch('x', 1_000), undefined);
    assert.deepEqual(await other.list(1_000), []);
    await b.store(session('x', { version: 2 }), { expectedVersion: 1 });
    await rejectsWith(a.store(session('x', { version: 2 }), { expectedVersion: 1 }), 'CONFLICT');
    assert.equal(await b.delete('x'), true);
    assert.equal(await a.fetch('x', 1_000), undefined);
  });

  it('concurrent compare-and-set from two instances: exactly one wins', async () => {
    const { backend: a, namespace } = await open();
    const { backend: b } = await open(namespace);
    await a.store(session('hot'));
    for (let round = 1; round <= 5; round++) {
      const attempts = Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).store(session('hot', { version: round + 1, metadata: { writer: i } }), {
          expectedVersion: round,
        }),
      );
      const results = await Promise.allSettled(attempts);
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      assert.equal(winners.length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal(errorCode(r.reason), 'CONFLICT');
      assert.deepEqual((await b.fetch('hot', 1_000))!.metadata, { writer: winners[0] });
    }
  });

  it('reports stored data it cannot read back as CORRUPT', async () => {
    const { backend, keys } = await open();
    await raw!.hset(keys.session('json'), 'd', '{not json', 'v', '1');
    await raw!.hset(keys.session('other'), 'd', JSON.stringify(session('someone-else')), 'v', '1');
    await raw!.hset(keys.session('badv'), 'v', 'x');
    await raw!.set(keys.session('string'), 'garbage');
    for (const id of ['json', 'other', 'string']) await rejectsWith(backend.fetch(id, 1_000), 'CORRUPT');
    await rejectsWith(backend.store(session('badv', { version: 2 }), { expectedVersion: 1 }), 'CORRUPT');
    await rejectsWith(backend.store(session('string')), 'CORRUPT');
    await raw!.zadd(keys.index, 'inf', 'not-json');
    await raw!.hset(keys.sessionPrefix + 'not-json', 'v', '1');
    await rejectsWith(backend.list(1_000), 'CORRUPT');
  });

  it('refuses bad input with its code before writing anything', async () => {
    const { backend, keys } = await open(undefined, { maxSessionBytes: 200 });
    await rejectsWith(backend.store(session('big', { metadata: { s: 'x'.repeat(300) } })), 'TOO_LARGE');
    await rejectsWith(backend.store(session('bad', { version: 0 })), 'INVALID_SESSION');
    await rejectsWith(backend.store(session('bad'), { expectedVersion: -1 }), 'INVALID_SESSION');
    await rejectsWith(backend.fetch('', 0), 'INVALID_ID');
    await rejectsWith(backend.delete('x'.repeat(257)), 'INVALID_ID');
    await rejectsWith(backend.fetch('a', -1), 'INVALID_SESSION');
    await rejectsWith(backend.list(1.5), 'INVALID_SESSION');
    await rejectsWith(backend.cleanupExpired(Number.NaN), 'INVALID_SESSION');
    assert.deepEqual(await keysOf(keys), []);
    await rejectsWith(redis.open({ dir: '', namespace: 'x', options: { url: 'http://127.0.0.1' } }), 'INVALID_SESSION');
    await rejectsWith(
      redis.open({ dir: '', namespace: 'x', options: { url, commandTimeoutMs: 0 } }),
      'INVALID_SESSION',
    );
  });

  it('is UNAVAILABLE when nothing listens or no URL is given', async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    await rejectsWith(
      redis.open({ dir: '', namespace: 'x', options: { url: closed, connectTimeoutMs: 500 } }),
      'UNAVAILABLE',
    );
    const saved = process.env.REDIS_URL;
    delete process.env.REDIS_URL;
    try {
      await rejectsWith(redis.open({ dir: '', namespace: 'x' }), 'UNAVAILABLE');
    } finally {
      if (saved !== undefined) process.env.REDIS_URL = saved;
    }
  });
});
