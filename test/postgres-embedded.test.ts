// The private PostgreSQL: started for the run when no other answers, used, and gone afterwards.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import pg from 'pg';
import { providePostgres } from '../backends/servers/postgres-provider.js';
import { serverRequired } from '../backends/servers/provide.js';
import { startPostgresServer } from '../backends/servers/postgres-server.js';
import { isGone } from './helpers/process.js';

async function selectOne(url: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000, query_timeout: 2000 });
  await client.connect();
  try {
    return (await client.query('SELECT 1 AS one')).rows[0].one;
  } finally {
    await client.end();
  }
}

test('the forced private server ignores DATABASE_URL and 5432, answers, and is gone with its dir after stop()', async (t) => {
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:1/test';
  let provided;
  try {
    provided = await providePostgres({ forceEmbedded: true });
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
  if ('skipped' in provided) {
    assert.ok(!serverRequired('postgres'), `SESSIONBENCH_REQUIRE_POSTGRES=1 but ${provided.skipped}`);
    return t.skip(provided.skipped);
  }
  assert.equal(provided.source, 'embedded');
  const port = new URL(provided.url).port;
  assert.notEqual(port, '5432');
  assert.equal(await selectOne(provided.url), 1);
  const { pid, dataDir } = provided as Required<typeof provided>;
  assert.ok(fs.existsSync(`${dataDir}/PG_VERSION`), 'the server runs on a data dir of its own');

  await provided.stop();
  assert.ok(isGone(pid), 'the postmaster is gone');
  assert.ok(!fs.existsSync(dataDir), 'its data dir is gone');
  await assert.rejects(selectOne(provided.url), /ECONNREFUSED/);
});

test('kill and restart: the server comes back on its port with its data, after a crash too', async (t) => {
  const server = await startPostgresServer().catch((err: Error) => err);
  if (server instanceof Error) {
    assert.ok(!serverRequired('postgres'), server.message);
    return t.skip(server.message);
  }
  try {
    const client = new pg.Client({ connectionString: server.url, query_timeout: 2000 });
    await client.connect();
    await client.query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)');
    await client.end();
    const first = server.pid;
    server.kill('SIGKILL');
    await server.restart();
    assert.notEqual(server.pid, first);
    assert.ok(isGone(first));
    const again = new pg.Client({ connectionString: server.url, query_timeout: 2000 });
    await again.connect();
    assert.deepEqual((await again.query('SELECT n FROM kept')).rows, [{ n: 7 }]);
    await again.end();
  } finally {
    await server.stop();
  }
  assert.ok(!fs.existsSync(server.dataDir));
});

test('a server that cannot start fails with its own output, not a hang', async (t) => {
  const err = await startPostgresServer({ settings: { no_such_setting: 'on' } }).then(
    () => assert.fail('postgres started with an unknown setting'),
    (e: Error) => e,
  );
  if (/not installed|no `postgres` OS user/.test(err.message)) {
    assert.ok(!serverRequired('postgres'), err.message);
    return t.skip(err.message);
  }
  assert.match(err.message, /exited .* before answering/);
  assert.match(err.message, /no_such_setting/);
});
