// What only the lmdb backend does: its environment, its expiry index, damage.
// The shared contract runs in backend-contract.test.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { spawnScript } from '../benchmarks/faults/child.js';
import type { ReopenRequest } from '../benchmarks/faults/reopen-child.js';
import lmdb from '../backends/lmdb.js';
import { acquireEnv, ENV_DIR, releaseEnv, type LmdbEnv } from '../backends/lmdb-env.js';
import { expiredRange, indexKey, namespacePrefix, namespaceRange, recordKey } from '../backends/lmdb-keys.js';
import type { SessionError } from '../backends/errors.js';
import { idKey } from '../backends/id-keys.js';
import { rejectsWith, session } from './helpers/contract-cases.js';
import { testContexts } from './helpers/tmp.js';

describe('lmdb backend', () => {
  const contexts = testContexts('lmdb');
  after(() => contexts.remove());
  const context = contexts.context;

  /** The environment the backend uses (this process shares one root per path), for looking underneath. */
  async function withEnv<T>(dir: string, fn: (env: LmdbEnv) => T | Promise<T>): Promise<T> {
    const { env, envPath } = acquireEnv(dir);
    try {
      return await fn(env);
    } finally {
      await releaseEnv(envPath);
    }
  }

  const prefix = namespacePrefix('ns');

  /**
   * Where the LMDB leaf nodes whose key (or value) is `bytes` start in a data file; freed pages keep
   * older copies of a node, so there may be several. A node is mn_lo u16, mn_hi u16 (the value's
   * size, low and high 16 bits), mn_flags u16, mn_ksize u16, the key, then the value.
   */
  function leafNodes(data: Buffer, bytes: Buffer, as: 'key' | 'value'): number[] {
    const nodes: number[] = [];
    for (let at = data.indexOf(bytes); at !== -1; at = data.indexOf(bytes, at + 1)) {
      for (let keySize = as === 'key' ? bytes.length : 1; keySize <= (as === 'key' ? bytes.length : 511); keySize++) {
        const node = at - 8 - (as === 'key' ? 0 : keySize);
        const valueSize = node < 0 ? -1 : data.readUInt16LE(node) + data.readUInt16LE(node + 2) * 65536;
        if (node >= 0 && data.readUInt16LE(node + 6) === keySize && (as === 'key' || valueSize === bytes.length))
          nodes.push(node);
      }
    }
    return nodes;
  }

  /** Makes the stored value of `id` claim to run past the end of the file: lmdb-js reading it dies of SIGBUS or SIGSEGV. */
  async function damageValueSize(dir: string, id: string): Promise<number> {
    const value = await withEnv(dir, (env) => Buffer.from(env.sessions.get(recordKey(prefix, id))!, 'utf8'));
    const file = path.join(dir, ENV_DIR, 'data.mdb');
    const data = fs.readFileSync(file);
    const nodes = leafNodes(data, value, 'value');
    for (const node of nodes) data.writeUInt16LE(Math.ceil(data.length / 65536) + 1, node + 2);
    fs.writeFileSync(file, data);
    return nodes.length;
  }

  it('durability full round-trips every method', async () => {
    const b = await lmdb.open(context({ durability: 'full' }));
    await b.store(session('a'), { expectedVersion: 0 });
    await b.store(session('a', { version: 2 }), { expectedVersion: 1 });
    await b.store(session('b', { timeoutMs: null }));
    assert.equal((await b.fetch('a', 2000))!.version, 2);
    assert.deepEqual((await b.list(2000)).sort(), ['a', 'b']);
    assert.equal(await b.cleanupExpired(3000), 1);
    assert.equal(await b.delete('b'), true);
    assert.deepEqual(await b.list(0), []);
    await b.close();
  });

  it('of concurrent deletes of one session exactly one returns true (the losers of the conditional write deleted nothing)', async () => {
    const b = await lmdb.open(context());
    await b.store(session('a'));
    const deleted = await Promise.all([b.delete('a'), b.delete('a'), b.delete('a')]);
    assert.deepEqual(deleted.filter(Boolean), [true]);
    await b.close();
  });

  it('keeps exactly one expiry-index entry per session, and cleanup reads only the expired range', async () => {
    const ctx = context();
    const b = await lmdb.open(ctx);
    const other = await lmdb.open({ ...ctx, namespace: 'other' });
    for (let i = 0; i < 50; i++) await b.store(session(`live${i}`, { lastAccessedAt: 10_000 + i, timeoutMs: 1000 }));
    for (let i = 0; i < 3; i++) await b.store(session(`old${i}`, { lastAccessedAt: 2000, timeoutMs: 1000 + i }));
    await b.store(session('forever', { timeoutMs: null }));
    await b.store(session('live0', { lastAccessedAt: 10_500, timeoutMs: 1000, version: 2 })); // moves its entry
    await b.store(session('gone', { timeoutMs: null }));
    assert.equal(await b.delete('gone'), true);
    await other.store(session('old0', { lastAccessedAt: 2000, timeoutMs: 1000 }));

    await withEnv(ctx.dir, (env) => {
      const entries = [...env.expiry.getKeys(namespaceRange(prefix))].map((k) => JSON.stringify(k)).sort();
      const expected = [
        ...Array.from({ length: 50 }, (_, i) => indexKey(prefix, i === 0 ? 11_500 : 11_000 + i, idKey(`live${i}`))),
        ...Array.from({ length: 3 }, (_, i) => indexKey(prefix, 3000 + i, idKey(`old${i}`))),
        indexKey(prefix, null, idKey('forever')),
      ]
        .map((k) => JSON.stringify(k))
        .sort();
      assert.deepEqual(entries, expected);
      // What cleanupExpired(3001) iterates: the two expired entries of this namespace, of 54 sessions.
      assert.deepEqual(
        [...env.expiry.getKeys(expiredRange(prefix, 3001))],
        [indexKey(prefix, 3000, idKey('old0')), indexKey(prefix, 3001, idKey('old1'))],
      );
    });
    assert.equal(await b.cleanupExpired(3001), 2);
    assert.ok(await other.fetch('old0', 2000));
    await withEnv(ctx.dir, (env) => assert.equal(env.expiry.getKeysCount(namespaceRange(prefix)), 52));
    await b.close();
    await other.close();
  });

  it('a damaged value reads back as CORRUPT, never as wrong data, and a plain store repairs it', async () => {
    const ctx = context();
    const b = await lmdb.open(ctx);
    for (const id of ['a', 'b']) await b.store(session(id));
    await withEnv(ctx.dir, (env) => {
      env.sessions.putSync(recordKey(prefix, 'a'), '{"id":"a",');
      env.sessions.putSync(recordKey(prefix, 'b'), JSON.stringify(session('c')));
    });
    await rejectsWith(b.fetch('a', 2000), 'CORRUPT');
    await rejectsWith(b.fetch('b', 2000), 'CORRUPT'); // another id's session
    await b.store(session('a', { version: 5 }));
    assert.equal((await b.fetch('a', 2000))!.version, 5);
    await b.close();
  });

  it('damaged meta: CAS is CORRUPT, a plain store or delete still finds and fixes the index', async () => {
    const ctx = context();
    const b = await lmdb.open(ctx);
    await b.store(session('a', { lastAccessedAt: 2000, timeoutMs: 1000 }));
    await b.store(session('b', { lastAccessedAt: 2000, timeoutMs: 1000 }));
    await withEnv(ctx.dir, (env) => {
      env.meta.putSync(recordKey(prefix, 'a'), 'garbage', 1.5);
      env.meta.putSync(recordKey(prefix, 'b'), 'garbage', 1.5);
    });
    await rejectsWith(b.store(session('a', { version: 2 }), { expectedVersion: 1 }), 'CORRUPT');
    await rejectsWith(b.store(session('a', { version: 2 }), { expectedVersion: 0 }), 'CONFLICT'); // it exists all the same
    await b.store(session('a', { lastAccessedAt: 5000, timeoutMs: 1000, version: 2 }));
    assert.equal(await b.delete('b'), true);
    await withEnv(ctx.dir, (env) =>
      assert.deepEqual([...env.expiry.getKeys(namespaceRange(prefix))], [indexKey(prefix, 6000, idKey('a'))]),
    );
    assert.equal(await b.cleanupExpired(5999), 0);
    assert.equal(await b.cleanupExpired(6000), 1);
    await b.close();
  });

  it('list names only ids whose meta record agrees with the index: a damaged key is no stranger, damaged meta is CORRUPT', async () => {
    const ctx = context();
    const b = await lmdb.open(ctx);
    await b.store(session('a', { lastAccessedAt: 2000, timeoutMs: 1000 }));
    await withEnv(ctx.dir, (env) => {
      env.expiry.putSync([prefix, 9000, 'not json'], Buffer.alloc(0));
      env.expiry.putSync(indexKey(prefix, 9000, idKey('ghost')), Buffer.alloc(0));
      env.expiry.putSync(indexKey(prefix, 7000, idKey('a')), Buffer.alloc(0)); // a's expiry is 3000
    });
    assert.deepEqual(await b.list(0), ['a']);
    await withEnv(ctx.dir, (env) => env.meta.putSync(recordKey(prefix, 'a'), 'garbage', 1.5));
    await rejectsWith(b.list(0), 'CORRUPT');
    await b.close();
  });

  it('a data file that is not an LMDB file is CORRUPT on open (lmdb-js itself would crash)', async () => {
    const ctx = context();
    fs.mkdirSync(path.join(ctx.dir, ENV_DIR));
    fs.writeFileSync(path.join(ctx.dir, ENV_DIR, 'data.mdb'), Buffer.alloc(65536, 0x41));
    await rejectsWith(lmdb.open(ctx), 'CORRUPT');
    fs.writeFileSync(path.join(ctx.dir, ENV_DIR, 'data.mdb'), 'short');
    await rejectsWith(lmdb.open(ctx), 'CORRUPT');
  });

  it('integrityCheck: damage that kills a reading process is CORRUPT on open, and this process lives on', async () => {
    const ctx = context();
    const b = await lmdb.open(ctx);
    const ids = Array.from({ length: 30 }, (_, i) => `s${i}`);
    for (const id of ids) await b.store(session(id, { timeoutMs: null }));
    await b.close();
    assert.ok((await damageValueSize(ctx.dir, 's7')) > 0, 'the stored value was found in data.mdb');

    // Without the check, open() succeeds (it reads no session) and the first read kills the process.
    const request: ReopenRequest = {
      backend: 'lmdb',
      namespace: ctx.namespace,
      options: {},
      trials: [{ trial: 0, dir: ctx.dir }],
      ids,
      now: 2000,
    };
    const reader = spawnScript('reopen-child', request, () => {});
    const { signal } = await reader.exited;
    assert.match(String(signal), /^SIG(BUS|SEGV)$/, `the reader ended with ${signal}: ${reader.stderr()}`);

    await assert.rejects(lmdb.open({ ...ctx, options: { integrityCheck: true } }), (err: SessionError) => {
      assert.equal(err.code, 'CORRUPT', String(err));
      assert.match(err.message, /killed the integrity check with SIG(BUS|SEGV)/);
      return true;
    });
  });

  it('integrityCheck: a database record whose entry count disagrees with its tree is CORRUPT', async () => {
    const ctx = context();
    const b = await lmdb.open(ctx);
    for (let i = 0; i < 30; i++) await b.store(session(`s${i}`));
    await b.close();
    // The main database maps 'sessions' (with its NUL) to its MDB_db record (F_SUBDATA, 48 bytes): md_entries is a u64 at 32.
    const file = path.join(ctx.dir, ENV_DIR, 'data.mdb');
    const data = fs.readFileSync(file);
    const key = Buffer.from('sessions\0');
    const records = leafNodes(data, key, 'key').filter(
      (node) => data.readUInt16LE(node + 4) === 2 && data.readUInt16LE(node) === 48,
    );
    assert.ok(records.length > 0, "the 'sessions' record was found in data.mdb");
    for (const node of records) data.writeBigUInt64LE(31n, node + 8 + key.length + 32);
    fs.writeFileSync(file, data);
    await assert.rejects(lmdb.open({ ...ctx, options: { integrityCheck: true } }), (err: SessionError) => {
      assert.equal(err.code, 'CORRUPT', String(err));
      assert.match(err.message, /database sessions holds 30 entries, its record says 31/);
      return true;
    });
  });

  it('integrityCheck: a healthy environment of 1000 sessions opens and reads back whole', async () => {
    const ctx = context({ integrityCheck: true });
    const b = await lmdb.open(ctx); // a new environment: nothing to walk
    for (let i = 0; i < 1000; i++)
      await b.store(session(`s${i}`, { timeoutMs: null, metadata: { i, text: 'x'.repeat(150) } }));
    await b.close();
    const reopened = await lmdb.open(ctx);
    assert.equal((await reopened.list(2000)).length, 1000);
    for (let i = 0; i < 1000; i++) assert.equal((await reopened.fetch(`s${i}`, 2000))!.metadata.i, i);
    await reopened.close();
  });

  it('integrityCheck: a walk cut short by its timeout is UNAVAILABLE, not CORRUPT', async () => {
    const ctx = context();
    const b = await lmdb.open(ctx);
    await b.store(session('a'));
    await b.close();
    // No child process starts within 1 ms: the timeout always wins.
    await rejectsWith(
      lmdb.open({ ...ctx, options: { integrityCheck: true, integrityCheckTimeoutMs: 1 } }),
      'UNAVAILABLE',
    );
    const reopened = await lmdb.open(ctx);
    assert.equal((await reopened.fetch('a', 1500))!.id, 'a');
    await reopened.close();
  });

  it('refuses bad options', async () => {
    for (const options of [
      { durability: 'sometimes' },
      { maxSessionBytes: 0 },
      { integrityCheck: 'yes' },
      { integrityCheckTimeoutMs: 0 },
    ]) {
      await rejectsWith(lmdb.open(context(options)), 'INVALID_SESSION');
    }
  });
});
