// The embedded default: a private redis-server started for the run, used, and gone afterwards.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import type { Session } from '../backends/contract.js';
import { errorCode } from '../backends/errors.js';
import redis from '../backends/redis.js';
import { detectDockerEngine, provideRedis, type ProvidedRedis } from '../backends/servers/redis-provider.js';
import { startRedisServer } from '../backends/servers/redis-server.js';
import { isGone } from './helpers/process.js';

const required = process.env.SESSIONBENCH_REQUIRE_REDIS === '1';

/** The embedded default, or the reason it can't be had (a failure when Redis is required). */
async function embedded(options: { testcontainers: boolean }): Promise<ProvidedRedis | string> {
  const provided = await provideRedis({ forceEmbedded: true, ...options });
  if ('skipped' in provided) {
    assert.ok(!required, `SESSIONBENCH_REQUIRE_REDIS=1 but ${provided.skipped}`);
    return provided.skipped;
  }
  assert.equal(provided.source, 'embedded');
  assert.ok(provided.pid !== undefined);
  return provided;
}

async function portIsFree(url: string): Promise<boolean> {
  const server = net.createServer();
  server.listen(Number(new URL(url).port), '127.0.0.1');
  const [event] = await Promise.race([once(server, 'listening'), once(server, 'error')]);
  if (event === undefined) server.close();
  return event === undefined;
}

const session: Session = {
  id: 'a{b}*',
  createdAt: 0,
  lastAccessedAt: 0,
  timeoutMs: 1_000,
  version: 1,
  metadata: { x: [1] },
};

test('the forced embedded default ignores REDIS_URL and 6379, serves the backend, and is gone after stop()', async (t) => {
  const saved = process.env.REDIS_URL;
  process.env.REDIS_URL = 'redis://127.0.0.1:1';
  let provided: ProvidedRedis | string;
  try {
    provided = await embedded({ testcontainers: false });
  } finally {
    if (saved === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = saved;
  }
  if (typeof provided === 'string') return t.skip(provided);
  const { url, pid } = provided;
  assert.notEqual(new URL(url).port, '6379');

  const backend = await redis.open({ dir: '', namespace: 'embedded', options: { url, commandTimeoutMs: 1_000 } });
  await backend.store(session, { expectedVersion: 0 });
  assert.deepEqual(await backend.fetch(session.id, 999), session);
  // A server that lost its script cache (restart, SCRIPT FLUSH) still runs the scripts.
  const raw = new Redis(url);
  await raw.script('FLUSH');
  await raw.quit();
  await backend.store({ ...session, version: 2 }, { expectedVersion: 1 });
  assert.deepEqual(await backend.list(999), [session.id]);
  assert.equal(await backend.cleanupExpired(1_000), 1);

  await provided.stop();
  await assert.rejects(backend.fetch(session.id, 0), (err) => errorCode(err) === 'UNAVAILABLE');
  await backend.close();
  assert.ok(isGone(pid!), 'the redis-server process is gone');
  assert.ok(await portIsFree(url), 'its port is free again');
});

test('testcontainers, opted in, is detected: without a Docker engine the embedded server is used', async (t) => {
  const noDocker = await detectDockerEngine();
  if (noDocker === undefined)
    return t.skip('a Docker engine answers here: the testcontainers path is not exercised by this test');
  assert.match(noDocker, /^no Docker engine/);
  const provided = await embedded({ testcontainers: true });
  if (typeof provided === 'string') return t.skip(provided);
  await provided.stop();
  assert.match(provided.note ?? '', /testcontainers opted in but no Docker engine/);
  assert.ok(isGone(provided.pid!));
});

test('a password in the URL is used, and a wrong one is UNAVAILABLE', async (t) => {
  const server = await startRedisServer({ password: 'p@ss w:rd' }).catch((err: Error) => err);
  if (server instanceof Error) {
    assert.ok(!required && /not installed/.test(server.message), server.message);
    return t.skip(server.message);
  }
  try {
    const backend = await redis.open({ dir: '', namespace: 'auth', options: { url: server.url } });
    await backend.store(session);
    assert.deepEqual(await backend.fetch(session.id, 0), session);
    await backend.close();
    const wrong = server.url.replace(/\/\/[^@]*@/, '//:wrong@');
    await assert.rejects(
      redis.open({ dir: '', namespace: 'auth', options: { url: wrong } }),
      (err) => errorCode(err) === 'UNAVAILABLE',
    );
  } finally {
    await server.stop();
  }
});

test('a redis-server that cannot start fails with its own output, not a hang', async (t) => {
  const err = await startRedisServer({ args: ['--no-such-option', 'yes'] }).then(
    () => assert.fail('redis-server started with an unknown option'),
    (e: Error) => e,
  );
  if (/not installed/.test(err.message)) {
    assert.ok(!required, err.message);
    return t.skip(err.message);
  }
  assert.match(err.message, /exited .* before answering/);
  assert.match(err.message, /no-such-option/);
});
