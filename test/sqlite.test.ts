// What only the sqlite backend does: its file, its indexes, damage and lock errors.
// The shared contract runs in backend-contract.test.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import sqlite, { DB_FILE } from '../backends/sqlite.js';
import { SQL } from '../backends/sqlite-schema.js';
import { idKey } from '../backends/id-keys.js';
import { rejectsWith, session } from './helpers/contract-cases.js';
import { testContexts } from './helpers/tmp.js';

describe('sqlite backend', () => {
  const contexts = testContexts('sqlite');
  after(() => contexts.remove());
  const context = contexts.context;

  function raw(dir: string): Database.Database {
    return new Database(path.join(dir, DB_FILE));
  }

  it('opens the file in WAL mode, with either durability', async () => {
    for (const durability of ['normal', 'full']) {
      const ctx = context({ durability });
      const b = await sqlite.open(ctx);
      await b.store(session('a'), { expectedVersion: 0 });
      assert.deepEqual(await b.fetch('a', 2000), session('a'));
      assert.equal(await b.cleanupExpired(3000), 1);
      await b.close();
      const db = raw(ctx.dir);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      db.close();
    }
  });

  it('list and cleanupExpired are ranges of the expiry index, fetch and CAS use the key', async () => {
    const ctx = context();
    await (await sqlite.open(ctx)).close();
    const db = raw(ctx.dir);
    const plan = (sql: string): string =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...Array<number>(sql.split('?').length - 1).fill(0))
        .map((row) => (row as { detail: string }).detail)
        .join(' | ');
    // "SEARCH ... (ns=? AND expires_at>?)" is a range; a full pass would read "SCAN sessions".
    assert.match(plan(SQL.cleanup), /^SEARCH sessions USING INDEX sessions_by_expiry \(ns=\? AND expires_at<\?\)$/);
    const list = plan(SQL.list);
    assert.match(list, /COVERING INDEX sessions_by_expiry \(ns=\? AND expires_at=\?\)/);
    assert.match(list, /COVERING INDEX sessions_by_expiry \(ns=\? AND expires_at>\?\)/);
    for (const sql of [SQL.fetch, SQL.updateIfVersion, SQL.delete]) {
      assert.match(plan(sql), /^SEARCH sessions USING INDEX sqlite_autoindex_sessions_1 \(ns=\? AND key=\?\)$/);
    }
    assert.doesNotMatch(list, /SCAN/);
    db.close();
  });

  it('a damaged row reads back as CORRUPT, never as wrong data, and a plain store repairs it', async () => {
    const ctx = context();
    const b = await sqlite.open(ctx);
    for (const id of ['a', 'b', 'c']) await b.store(session(id));
    const db = raw(ctx.dir);
    const ns = idKey('ns');
    db.prepare('UPDATE sessions SET body = ? WHERE ns = ? AND key = ?').run('{"id":"a",', ns, idKey('a'));
    db.prepare('UPDATE sessions SET body = ? WHERE ns = ? AND key = ?').run(
      JSON.stringify(session('c')),
      ns,
      idKey('b'),
    );
    await rejectsWith(b.fetch('a', 2000), 'CORRUPT');
    await rejectsWith(b.fetch('b', 2000), 'CORRUPT'); // another id's session
    await b.store(session('a', { version: 5 }));
    assert.equal((await b.fetch('a', 2000))!.version, 5);
    db.prepare('UPDATE sessions SET key = ? WHERE ns = ? AND key = ?').run('not json', ns, idKey('c'));
    await rejectsWith(b.list(0), 'CORRUPT');
    db.close();
    await b.close();
  });

  it('a file that is not a database is CORRUPT on open', async () => {
    const ctx = context();
    fs.writeFileSync(path.join(ctx.dir, DB_FILE), Buffer.alloc(8192, 0x41));
    await rejectsWith(sqlite.open(ctx), 'CORRUPT');
  });

  it('damaged pages: CORRUPT on open with integrityCheck, on first read without', async () => {
    const ctx = context();
    const b = await sqlite.open(ctx);
    for (let i = 0; i < 100; i++) await b.store(session(`s${i}`, { metadata: { pad: 'x'.repeat(1000) } }));
    await b.close(); // the last connection checkpoints the WAL into the file
    const fd = fs.openSync(path.join(ctx.dir, DB_FILE), 'r+');
    const size = fs.fstatSync(fd).size;
    fs.writeSync(fd, Buffer.alloc(size - 8192, 0x41), 0, size - 8192, 8192); // keep the header and schema pages
    fs.closeSync(fd);
    await rejectsWith(sqlite.open({ ...ctx, options: { integrityCheck: true } }), 'CORRUPT');
    const unchecked = await sqlite.open(ctx);
    await rejectsWith(unchecked.fetch('s5', 2000), 'CORRUPT');
    await rejectsWith(unchecked.list(0), 'CORRUPT');
    await unchecked.close();
  });

  it('a key damaged in the expiry index only: integrityCheck finds it (CORRUPT); unchecked, list names a stranger', async () => {
    const ctx = context();
    const b = await sqlite.open(ctx);
    await b.store(session('victim-1'));
    await b.close();
    const db = raw(ctx.dir);
    const page = db
      .prepare("SELECT rootpage FROM sqlite_master WHERE name = 'sessions_by_expiry'")
      .pluck()
      .get() as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    // Same length, still valid UTF-8 and JSON: only a comparison with the table row can tell.
    const file = path.join(ctx.dir, DB_FILE);
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf('victim-1', (page - 1) * pageSize);
    assert.ok(at >= 0 && at < page * pageSize, 'the key is on the index page');
    bytes.write('victim-2', at);
    fs.writeFileSync(file, bytes);
    await rejectsWith(sqlite.open({ ...ctx, options: { integrityCheck: true } }), 'CORRUPT');
    const unchecked = await sqlite.open(ctx);
    assert.deepEqual(await unchecked.list(0), ['victim-2']);
    assert.equal(await unchecked.fetch('victim-2', 0), undefined);
    await unchecked.close();
  });

  it('a writer that outwaits busyTimeoutMs gets UNAVAILABLE; readers are not blocked (WAL)', async () => {
    const ctx = context({ busyTimeoutMs: 1 });
    const b = await sqlite.open(ctx);
    await b.store(session('a'));
    const other = raw(ctx.dir);
    other.exec('BEGIN IMMEDIATE');
    try {
      await rejectsWith(b.store(session('a', { version: 2 })), 'UNAVAILABLE');
      await rejectsWith(b.store(session('a', { version: 2 }), { expectedVersion: 1 }), 'UNAVAILABLE');
      await rejectsWith(b.cleanupExpired(9999), 'UNAVAILABLE');
      assert.deepEqual(await b.fetch('a', 2000), session('a'));
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    await b.store(session('a', { version: 2 }), { expectedVersion: 1 });
    assert.equal((await b.fetch('a', 2000))!.version, 2);
    await b.close();
  });

  it('refuses bad options', async () => {
    for (const options of [
      { durability: 'sometimes' },
      { integrityCheck: 'yes' },
      { busyTimeoutMs: 0 },
      { maxSessionBytes: -1 },
    ]) {
      await rejectsWith(sqlite.open(context(options)), 'INVALID_SESSION');
    }
  });
});
