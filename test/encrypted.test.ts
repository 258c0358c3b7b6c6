// Encryption at rest: the invariant suite passes on encrypted sqlite and encrypted redis; a record
// tampered with, copied to another id, or read with another key reads as CORRUPT, never as data.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Session, SessionBackend } from '../backends/contract.js';
import { encrypted, ENCRYPTION_KEY_ENV, newEncryptionKey } from '../backends/encrypted.js';
import { errorCode } from '../backends/errors.js';
import redis from '../backends/redis.js';
import sqlite from '../backends/sqlite.js';
import { LOCAL_REDIS_URL } from '../backends/servers/redis-provider.js';
import { pingRedis } from '../backends/servers/redis-server.js';
import { suiteTests } from '../properties/node-test.js';
import { tempDir } from './helpers/tmp.js';

const key = newEncryptionKey();
suiteTests(encrypted(sqlite, { key }));

const noRedis = await pingRedis(LOCAL_REDIS_URL, 1000);
if (noRedis !== undefined) {
  assert.ok(
    process.env.SESSIONBENCH_REQUIRE_REDIS !== '1',
    `SESSIONBENCH_REQUIRE_REDIS=1 but ${LOCAL_REDIS_URL}: ${noRedis}`,
  );
  test('invariant suite on redis+aes', { skip: `nothing answers on ${LOCAL_REDIS_URL}: ${noRedis}` }, () => {});
} else {
  // The suite opens a unique namespace per run and wipes it.
  suiteTests(encrypted(redis, { key }), { openOptions: { url: LOCAL_REDIS_URL } });
}

const session: Session = {
  id: 'alice',
  createdAt: 1000,
  lastAccessedAt: 2000,
  timeoutMs: 60_000,
  version: 3,
  metadata: { role: 'admin', n: [1, 2] },
};

async function rejectsCorrupt(promise: Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(promise, (err) => errorCode(err) === 'CORRUPT', `${what}: expected CORRUPT`);
}

describe('sqlite+aes at rest', () => {
  async function withStores(
    run: (sealed: SessionBackend, inner: SessionBackend, dir: string) => Promise<void>,
  ): Promise<void> {
    const dir = tempDir('aes');
    const sealed = await encrypted(sqlite, { key }).open({ dir: dir.path, namespace: 'ns' });
    const inner = await sqlite.open({ dir: dir.path, namespace: 'ns' });
    try {
      await sealed.store(session);
      await run(sealed, inner, dir.path);
    } finally {
      await sealed.close();
      await inner.close();
      dir.remove();
    }
  }

  test('the stored record holds the clear fields and no plaintext metadata', () =>
    withStores(async (sealed, inner) => {
      const raw = await inner.fetch('alice', 2000);
      assert.ok(raw !== undefined);
      assert.deepEqual(Object.keys(raw.metadata), ['$enc']);
      assert.equal(JSON.stringify(raw).includes('admin'), false);
      assert.deepEqual({ ...raw, metadata: session.metadata }, session);
      assert.deepEqual(await sealed.fetch('alice', 2000), session);
    }));

  test('a flipped byte in the ciphertext reads as CORRUPT', () =>
    withStores(async (sealed, inner) => {
      const raw = (await inner.fetch('alice', 2000))!;
      const bytes = Buffer.from(raw.metadata.$enc as string, 'base64');
      bytes[bytes.length - 1]! ^= 0x01;
      await inner.store({ ...raw, metadata: { $enc: bytes.toString('base64') } });
      await rejectsCorrupt(sealed.fetch('alice', 2000), 'tampered ciphertext');
    }));

  test('a changed clear field (timeout, version) reads as CORRUPT', () =>
    withStores(async (sealed, inner) => {
      const raw = (await inner.fetch('alice', 2000))!;
      await inner.store({ ...raw, timeoutMs: null });
      await rejectsCorrupt(sealed.fetch('alice', 2000), 'timeout changed');
      await inner.store({ ...raw, version: raw.version + 1 });
      await rejectsCorrupt(sealed.fetch('alice', 2000), 'version changed');
    }));

  test('a record copied to another id reads as CORRUPT', () =>
    withStores(async (sealed, inner) => {
      const raw = (await inner.fetch('alice', 2000))!;
      await inner.store({ ...raw, id: 'mallory' });
      await rejectsCorrupt(sealed.fetch('mallory', 2000), 'copied record');
      assert.deepEqual(await sealed.fetch('alice', 2000), session, 'the original still reads');
    }));

  test('a record copied to another namespace reads as CORRUPT', () =>
    withStores(async (_sealed, inner, dir) => {
      const raw = (await inner.fetch('alice', 2000))!;
      const otherInner = await sqlite.open({ dir, namespace: 'other' });
      const other = await encrypted(sqlite, { key }).open({ dir, namespace: 'other' });
      try {
        await otherInner.store(raw);
        await rejectsCorrupt(other.fetch('alice', 2000), 'moved record');
      } finally {
        await other.close();
        await otherInner.close();
      }
    }));

  test('another key reads CORRUPT; an unsealed record reads CORRUPT', () =>
    withStores(async (_sealed, inner, dir) => {
      const wrong = await encrypted(sqlite, { key: newEncryptionKey() }).open({ dir, namespace: 'ns' });
      try {
        await rejectsCorrupt(wrong.fetch('alice', 2000), 'wrong key');
        await inner.store({ ...session, id: 'plain' });
        await rejectsCorrupt(wrong.fetch('plain', 2000), 'plaintext record');
      } finally {
        await wrong.close();
      }
    }));

  test('the key comes from options, else the environment; a bad or missing key is INVALID_SESSION', async () => {
    const dir = tempDir('aes-key');
    const saved = process.env[ENCRYPTION_KEY_ENV];
    try {
      const aes = encrypted(sqlite);
      delete process.env[ENCRYPTION_KEY_ENV];
      await assert.rejects(aes.open({ dir: dir.path, namespace: 'ns' }), (err) => errorCode(err) === 'INVALID_SESSION');
      await assert.rejects(
        aes.open({ dir: dir.path, namespace: 'ns', options: { encryptionKey: 'c2hvcnQ=' } }),
        (err) => errorCode(err) === 'INVALID_SESSION',
      );
      process.env[ENCRYPTION_KEY_ENV] = Buffer.from(key, 'base64').toString('hex');
      const viaEnv = await aes.open({ dir: dir.path, namespace: 'ns' });
      await viaEnv.store(session);
      await viaEnv.close();
      const viaOption = await aes.open({ dir: dir.path, namespace: 'ns', options: { encryptionKey: key } });
      assert.deepEqual(
        await viaOption.fetch('alice', 2000),
        session,
        'hex from the environment and base64 from options are one key',
      );
      await viaOption.close();
    } finally {
      if (saved === undefined) delete process.env[ENCRYPTION_KEY_ENV];
      else process.env[ENCRYPTION_KEY_ENV] = saved;
      dir.remove();
    }
  });

  test('the size limit applies to the plaintext: a session at the limit fits although its ciphertext is larger', async () => {
    const dir = tempDir('aes-size');
    const limit = 4096;
    const aes = await encrypted(sqlite, { key }).open({
      dir: dir.path,
      namespace: 'ns',
      options: { maxSessionBytes: limit },
    });
    try {
      const base = { ...session, metadata: { pad: '' } };
      const fill = limit - Buffer.byteLength(JSON.stringify(base));
      const atLimit = { ...session, metadata: { pad: 'é'.repeat(Math.floor(fill / 2)) + 'a'.repeat(fill % 2) } };
      assert.equal(Buffer.byteLength(JSON.stringify(atLimit)), limit);
      await aes.store(atLimit);
      assert.deepEqual(await aes.fetch('alice', 2000), atLimit);
      await assert.rejects(
        aes.store({ ...atLimit, metadata: { pad: `${atLimit.metadata.pad}a` } }),
        (err) => errorCode(err) === 'TOO_LARGE',
      );
    } finally {
      await aes.close();
      dir.remove();
    }
  });
});
