// The postgres backend on a real PostgreSQL: DATABASE_URL, else 127.0.0.1:5432 database `test`,
// else a private server. Everything runs in a schema of its own, dropped (and checked gone)
// afterwards. The strict invariant suite and the shared contract run here; the rest covers the
// postgres specifics: touch in SQL, batched cleanup over the index, durability, unlogged tables,
// damage, a server that is not there.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it, test } from 'node:test';
import pg from 'pg';
import type { Session, SessionBackend } from '../backends/contract.js';
import { errorCode } from '../backends/errors.js';
import postgres from '../backends/postgres.js';
import { createPool, postgresConnectionOptions } from '../backends/postgres-client.js';
import { DEFAULT_TABLE, schemaFor, tableOptions } from '../backends/postgres-schema.js';
import { freePort } from '../backends/servers/child-server.js';
import { providePostgres } from '../backends/servers/postgres-provider.js';
import { startPostgresServer } from '../backends/servers/postgres-server.js';
import { serverRequired } from '../backends/servers/provide.js';
import { withTimeout } from '../backends/timeout.js';
import { runHostileInput } from '../benchmarks/faults/hostile-input.js';
import { suiteTests } from '../properties/node-test.js';
import { backendFile, contractTests, dirTarget, rejectsWith } from './helpers/contract-cases.js';

const provided = await providePostgres();
const unavailable = 'skipped' in provided ? provided.skipped : undefined;
const url = 'skipped' in provided ? '' : provided.url;
const schema = `sbtest_${randomUUID().replaceAll('-', '')}`;
const table = `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(DEFAULT_TABLE)}`;
const raw = unavailable === undefined ? new pg.Pool({ connectionString: url, query_timeout: 10_000 }) : undefined;

after(async () => {
  if (raw !== undefined) {
    await raw.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    const { rows } = await raw.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    assert.deepEqual(rows, [], 'the test schema is gone');
    await raw.end();
  }
  if (!('skipped' in provided)) await provided.stop();
});

test('a PostgreSQL answers when SESSIONBENCH_REQUIRE_POSTGRES=1', { skip: !serverRequired('postgres') }, () => {
  assert.equal(unavailable, undefined);
});

const options = { url, schema };

if (unavailable === undefined) suiteTests(postgres, { openOptions: options });
else test('invariant suite on postgres', { skip: unavailable }, () => {});

contractTests('postgres', () => dirTarget(backendFile('postgres'), options), { skip: unavailable });

test(
  'hostile input on postgres: 1000 cases, right codes, store unchanged, no cross-session reach',
  { skip: unavailable },
  async () => {
    const r = await runHostileInput({ module: postgres, cases: 1000, dir: '', openOptions: options });
    assert.equal(r.failures, 0, r.failure);
  },
);

function session(id: string, patch: Partial<Session> = {}): Session {
  return { id, createdAt: 1_000, lastAccessedAt: 1_000, timeoutMs: 60_000, version: 1, metadata: { id }, ...patch };
}

describe('postgres backend', { skip: unavailable ?? false }, () => {
  const opened: SessionBackend[] = [];
  after(() => Promise.all(opened.map((b) => b.close())));

  async function open(extra: Record<string, unknown> = {}, namespace = `ns-${randomUUID()}`) {
    const backend = await postgres.open({ dir: '', namespace, options: { ...options, ...extra } });
    opened.push(backend);
    return backend;
  }

  async function rowOf(namespace: string, id: string): Promise<Record<string, unknown> | undefined> {
    const { rows } = await raw!.query(`SELECT * FROM ${table} WHERE ns = $1 AND key = $2`, [
      JSON.stringify(namespace),
      JSON.stringify(id),
    ]);
    return rows[0];
  }

  it('touch is one statement that never revives: at and past the expiry it changes nothing', async () => {
    const namespace = `ns-${randomUUID()}`;
    const b = await open({}, namespace);
    await b.store(session('a', { lastAccessedAt: 2_000, timeoutMs: 500 }));
    const before = await rowOf(namespace, 'a');
    assert.equal(await b.touch!('a', 9_000, 2_500), undefined);
    assert.equal(await b.touch!('a', 9_000, 10_000), undefined);
    assert.deepEqual(await rowOf(namespace, 'a'), before, 'the expired row is untouched');
    assert.equal(await b.fetch('a', 2_500), undefined, 'not revived: still expired where it was');
    const touched = await b.touch!('a', 2_400, 2_499);
    assert.deepEqual(touched, session('a', { lastAccessedAt: 2_400, timeoutMs: 500, version: 2 }));
    assert.deepEqual(await b.touch!('a', 1_000, 2_600), { ...touched, version: 3 }, 'lastAccessedAt never goes back');
    assert.equal((await rowOf(namespace, 'a'))!.expires_at, '2900');
    assert.equal(await b.touch!('missing', 1_000, 1_000), undefined);
  });

  it('touch refuses past the limits with their codes and changes nothing', async () => {
    const namespace = `ns-${randomUUID()}`;
    const text = JSON.stringify(session('a'));
    const b = await open({ maxSessionBytes: Buffer.byteLength(text) }, namespace);
    await b.store(session('a'));
    const before = await rowOf(namespace, 'a');
    // One more digit in lastAccessedAt: one byte over the limit.
    await rejectsWith(b.touch!('a', 10_000, 1_000), 'TOO_LARGE');
    const unlimited = await open({}, namespace);
    await unlimited.store(session('b', { version: Number.MAX_SAFE_INTEGER }));
    await rejectsWith(unlimited.touch!('b', 1_000, 1_000), 'INVALID_SESSION');
    await unlimited.store(session('c', { timeoutMs: Number.MAX_SAFE_INTEGER - 1_000 }));
    await rejectsWith(unlimited.touch!('c', 1_001, 1_000), 'INVALID_SESSION');
    assert.deepEqual(await rowOf(namespace, 'a'), before);
    assert.equal((await unlimited.fetch('c', 1_000))!.version, 1);
    assert.equal((await b.touch!('a', 1_001, 1_000))!.lastAccessedAt, 1_001, 'within the limit it applies');
  });

  it('cleanupExpired removes exactly the expired, in batches, and skips a row another transaction holds', async () => {
    const namespace = `ns-${randomUUID()}`;
    const b = await open({ cleanupBatch: 3 }, namespace);
    for (let i = 0; i < 10; i++) await b.store(session(`old${i}`, { timeoutMs: 100 + i }));
    await b.store(session('boundary', { timeoutMs: 200 }));
    await b.store(session('live', { timeoutMs: 201 }));
    await b.store(session('forever', { timeoutMs: null }));
    const other = await open({ cleanupBatch: 3 });
    await other.store(session('elsewhere', { timeoutMs: 1 }));
    // A writer holds one expired row: cleanup neither waits for it nor fails.
    const holder = await raw!.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM ${table} WHERE ns = $1 AND key = $2 FOR UPDATE`, [
        JSON.stringify(namespace),
        JSON.stringify('old0'),
      ]);
      assert.equal(await withTimeout(b.cleanupExpired(1_200), 5_000, 'cleanup waited for the lock'), 10);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    assert.equal(await b.cleanupExpired(1_200), 1);
    assert.deepEqual((await b.list(0)).sort(), ['forever', 'live']);
    assert.deepEqual(await other.list(0), ['elsewhere'], 'another namespace in the same table is left alone');
    assert.equal(await b.cleanupExpired(1_200), 0);
  });

  it('list and cleanup read the expiry index, never the whole table', async () => {
    const sql = schemaFor(tableOptions(options));
    const client = await raw!.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      await client.query(`SET LOCAL search_path = ${pg.escapeIdentifier(schema)}`);
      for (const [text, values] of [
        [sql.list, ['"ns"', 5]],
        [sql.cleanup, ['"ns"', 5, 1000]],
      ] as const) {
        const plan = (await client.query(`EXPLAIN ${text}`.replace(/\$(\d)/g, (_, n) => `'${values[n - 1]}'`))).rows
          .map((r) => r['QUERY PLAN'])
          .join('\n');
        assert.doesNotMatch(plan, /Seq Scan/, plan);
        assert.match(plan, new RegExp(`Index (Only )?Scan (using|on) ${DEFAULT_TABLE}_by_expiry`), plan);
        assert.doesNotMatch(plan, /Join/, plan);
      }
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('two instances on one database share sessions, and their compare-and-sets conflict', async () => {
    const namespace = `ns-${randomUUID()}`;
    const [a, b] = [await open({}, namespace), await open({}, namespace)];
    await a.store(session('s'), { expectedVersion: 0 });
    assert.deepEqual(await b.fetch('s', 1_000), session('s'));
    await b.store(session('s', { version: 2 }), { expectedVersion: 1 });
    await rejectsWith(
      a.store(session('s', { version: 2, metadata: { lost: true } }), { expectedVersion: 1 }),
      'CONFLICT',
    );
    assert.deepEqual(await a.fetch('s', 1_000), session('s', { version: 2 }));
  });

  it('damage in a row reads as CORRUPT, not as another session', async () => {
    const namespace = `ns-${randomUUID()}`;
    const b = await open({}, namespace);
    await b.store(session('a'));
    await b.store(session('b'));
    await raw!.query(`UPDATE ${table} SET metadata = '{"id":' WHERE ns = $1 AND key = $2`, [
      JSON.stringify(namespace),
      JSON.stringify('a'),
    ]);
    await raw!.query(`UPDATE ${table} SET metadata = '{}, "extra": 1' WHERE ns = $1 AND key = $2`, [
      JSON.stringify(namespace),
      JSON.stringify('b'),
    ]);
    await rejectsWith(b.fetch('a', 1_000), 'CORRUPT');
    await rejectsWith(b.fetch('b', 1_000), 'CORRUPT');
    await rejectsWith(b.touch!('a', 1_000, 1_000), 'CORRUPT');
  });

  it('durability maps to synchronous_commit: normal off, full on', async () => {
    for (const [durability, setting] of [
      ['normal', 'off'],
      ['full', 'on'],
    ] as const) {
      const pool = createPool(postgresConnectionOptions({ url, durability }));
      try {
        assert.equal((await pool.query('SHOW synchronous_commit')).rows[0].synchronous_commit, setting);
      } finally {
        await pool.end();
      }
    }
  });

  it('unlogged makes an UNLOGGED table, and an existing table of the other kind is refused', async () => {
    const b = await open({ table: 'unlogged_sessions', unlogged: true });
    await b.store(session('u'));
    assert.deepEqual(await b.fetch('u', 1_000), session('u'));
    const { rows } = await raw!.query('SELECT relpersistence FROM pg_class WHERE oid = $1::regclass', [
      `${pg.escapeIdentifier(schema)}.unlogged_sessions`,
    ]);
    assert.equal(rows[0].relpersistence, 'u');
    await rejectsWith(open({ table: 'unlogged_sessions' }), 'INVALID_SESSION');
    await rejectsWith(open({ unlogged: true }), 'INVALID_SESSION');
  });

  it('refuses bad open options with INVALID_SESSION before connecting', async () => {
    for (const bad of [
      { table: 'x; DROP TABLE y' },
      { schema: '' },
      { table: 7 },
      { unlogged: 'yes' },
      { durability: 'fsync' },
      { poolSize: 0 },
      { queryTimeoutMs: -1 },
      { cleanupBatch: 1.5 },
      { url: 'redis://127.0.0.1:6379' },
    ]) {
      await rejectsWith(open(bad), 'INVALID_SESSION');
    }
  });

  it('no server: open is UNAVAILABLE, bounded', async () => {
    const port = await freePort();
    const nowhere = `postgres://postgres@127.0.0.1:${port}/test`;
    await rejectsWith(withTimeout(open({ url: nowhere, connectTimeoutMs: 500 }), 10_000, 'open hung'), 'UNAVAILABLE');
  });
});

test('a server that goes away: every call is UNAVAILABLE, bounded, and close still returns', async (t) => {
  const server = await startPostgresServer().catch((err: Error) => err);
  if (server instanceof Error) {
    assert.ok(!serverRequired('postgres'), server.message);
    return t.skip(server.message);
  }
  try {
    const b = await postgres.open({
      dir: '',
      namespace: 'gone',
      options: { url: server.url, connectTimeoutMs: 500, queryTimeoutMs: 1_000 },
    });
    await b.store(session('a'));
    await server.stop();
    const calls: (() => Promise<unknown>)[] = [
      () => b.fetch('a', 1_000),
      () => b.store(session('b')),
      () => b.touch!('a', 1_000, 1_000),
      () => b.list(0),
      () => b.cleanupExpired(0),
    ];
    for (const call of calls) {
      await rejectsWith(withTimeout(call(), 10_000, 'a call hung'), 'UNAVAILABLE');
    }
    await withTimeout(b.close(), 10_000, 'close hung');
    await rejectsWith(b.fetch('a', 0), 'CLOSED');
  } finally {
    await server.stop();
  }
});
