// Schema and statements of the sqlite backend, kept apart so tests can EXPLAIN them and the
// benchmark's raw row runs the very same statements.
import type Database from 'better-sqlite3';
//
// One file per directory with a namespace column, not one file per namespace: any namespace
// string works (no file-name length or character limits), and one WAL serves them all.
// `ns` and `key` hold idKey(namespace) and idKey(id): better-sqlite3 binds strings as UTF-8,
// which would turn every lone surrogate into U+FFFD and let two ids share a row.

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  ns TEXT NOT NULL,
  key TEXT NOT NULL,
  version INTEGER NOT NULL,
  expires_at INTEGER, -- lastAccessedAt + timeoutMs; NULL: never
  body TEXT NOT NULL, -- the RecordCodec text: sealRecord(JSON) by default, plain JSON with checksum: false
  PRIMARY KEY (ns, key)
) STRICT;
-- Covers list (ns, expires_at > now, key) and cleanup (ns, expires_at <= now): neither reads a body.
CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (ns, expires_at, key);
`;

export const SQL = {
  fetch: 'SELECT body, expires_at FROM sessions WHERE ns = ? AND key = ?',
  upsert:
    'INSERT INTO sessions (ns, key, version, expires_at, body) VALUES (?, ?, ?, ?, ?) ' +
    'ON CONFLICT (ns, key) DO UPDATE SET version = excluded.version, expires_at = excluded.expires_at, body = excluded.body',
  /** CAS with expectedVersion 0: inserts only when the row does not exist. */
  insertNew:
    'INSERT INTO sessions (ns, key, version, expires_at, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (ns, key) DO NOTHING',
  /** CAS with expectedVersion > 0: the version check and the write are one statement. */
  updateIfVersion: 'UPDATE sessions SET version = ?, expires_at = ?, body = ? WHERE ns = ? AND key = ? AND version = ?',
  version: 'SELECT version FROM sessions WHERE ns = ? AND key = ?',
  delete: 'DELETE FROM sessions WHERE ns = ? AND key = ?',
  // Two ranges of the expiry index (NULLs sort first) rather than an OR the planner may not split.
  list:
    'SELECT key FROM sessions WHERE ns = ? AND expires_at IS NULL ' +
    'UNION ALL SELECT key FROM sessions WHERE ns = ? AND expires_at > ?',
  cleanup: 'DELETE FROM sessions WHERE ns = ? AND expires_at <= ?',
} as const;

/** The columns a write binds: ns, key, version, expires_at, body. */
export type SessionRow = [ns: string, key: string, version: number, expiresAt: number | null, body: string];

type Key = [ns: string, key: string];

export interface Statements {
  fetch: Database.Statement<Key, [body: string, expiresAt: number | null]>;
  upsert: Database.Statement<SessionRow>;
  insertNew: Database.Statement<SessionRow>;
  updateIfVersion: Database.Statement<
    [version: number, expiresAt: number | null, body: string, ns: string, key: string, expected: number]
  >;
  version: Database.Statement<Key, number>;
  delete: Database.Statement<Key>;
  list: Database.Statement<[ns: string, ns: string, now: number], string>;
  cleanup: Database.Statement<[ns: string, now: number]>;
}

/** Every statement, prepared once per connection: nothing is prepared on the hot path. */
export function prepareStatements(db: Database.Database): Statements {
  return {
    fetch: db.prepare<Key, [string, number | null]>(SQL.fetch).raw(),
    upsert: db.prepare<SessionRow>(SQL.upsert),
    insertNew: db.prepare<SessionRow>(SQL.insertNew),
    updateIfVersion: db.prepare(SQL.updateIfVersion),
    version: db.prepare<Key, number>(SQL.version).pluck(),
    delete: db.prepare<Key>(SQL.delete),
    list: db.prepare<[string, string, number], string>(SQL.list).pluck(),
    cleanup: db.prepare<[string, number]>(SQL.cleanup),
  };
}
