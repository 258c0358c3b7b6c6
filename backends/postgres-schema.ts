// Schema and statements of the postgres backend, kept apart so tests can EXPLAIN them and the
// benchmark's raw row runs the very same statements.
//
// One table for every namespace, keyed by (ns, key): idKey(namespace) and idKey(id), JSON
// strings, so lone surrogates and NULs (which PostgreSQL text can't hold) arrive escaped and two
// ids never share a row. The session's fields are columns, so touch is one UPDATE computed by the
// server; metadata is the JSON text encodeSession wrote (not jsonb: jsonb refuses \u0000 and
// reorders keys). expires_at is generated from the two columns it depends on, so no write can
// leave it stale.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Session } from './contract.js';
import { decodeSession } from './codec.js';
import { SessionError } from './errors.js';
import { idKey } from './id-keys.js';

export const DEFAULT_TABLE = 'sessionbench_sessions';

/** Plain identifiers only: no quoting surprises, and room for the index name's suffix within 63 bytes. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

export interface TableOptions {
  /** Schema to create the table in; undefined: the connection's search_path (public). */
  schema?: string;
  table: string;
  /** UNLOGGED: no WAL, faster writes; PostgreSQL truncates the table after a crash. */
  unlogged: boolean;
}

export function tableOptions(options: Record<string, unknown> | undefined): TableOptions {
  const name = (key: string, fallback?: string): string | undefined => {
    const value = options?.[key] ?? fallback;
    if (value !== undefined && (typeof value !== 'string' || !IDENTIFIER.test(value))) {
      throw new SessionError('INVALID_SESSION', `option ${key} must match ${IDENTIFIER}`);
    }
    return value;
  };
  const unlogged = options?.unlogged ?? false;
  if (typeof unlogged !== 'boolean') throw new SessionError('INVALID_SESSION', 'option unlogged must be a boolean');
  return { schema: name('schema'), table: name('table', DEFAULT_TABLE)!, unlogged };
}

/** lastAccessedAt and version after a touch at $3, and the JSON's size after it (both counted in decimal digits). */
const TOUCHED_LAST = 'GREATEST(last_accessed_at, $3)';
const TOUCHED_BYTES = `json_bytes + length((${TOUCHED_LAST})::text) - length(last_accessed_at::text) + length((version + 1)::text) - length(version::text)`;
const MAX_SAFE = String(Number.MAX_SAFE_INTEGER);
const LIVE = '(expires_at IS NULL OR expires_at > $4)';
const COLUMNS = 'created_at, last_accessed_at, timeout_ms, version, metadata';

export interface Schema {
  /** The DDL, run once per open inside one transaction under an advisory lock (concurrent opens race CREATE ... IF NOT EXISTS). */
  ddl: string;
  /** The quoted, schema-qualified table name. */
  table: string;
  fetch: string;
  upsert: string;
  insertNew: string;
  updateIfVersion: string;
  version: string;
  delete: string;
  list: string;
  cleanup: string;
  touch: string;
}

export function schemaFor(options: TableOptions): Schema {
  const q = pg.escapeIdentifier;
  const t = options.schema === undefined ? q(options.table) : `${q(options.schema)}.${q(options.table)}`;
  const write = `(ns, key, version, created_at, last_accessed_at, timeout_ms, metadata, json_bytes)`;
  return {
    table: t,
    ddl: `BEGIN;
SELECT pg_advisory_xact_lock(hashtext('sessionbench schema'));
${options.schema === undefined ? '' : `CREATE SCHEMA IF NOT EXISTS ${q(options.schema)};`}
CREATE ${options.unlogged ? 'UNLOGGED ' : ''}TABLE IF NOT EXISTS ${t} (
  ns text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  version bigint NOT NULL,
  created_at bigint NOT NULL,
  last_accessed_at bigint NOT NULL,
  timeout_ms bigint,
  expires_at bigint GENERATED ALWAYS AS (last_accessed_at + timeout_ms) STORED,
  metadata text NOT NULL,
  json_bytes integer NOT NULL,
  PRIMARY KEY (ns, key)
);
CREATE INDEX IF NOT EXISTS ${q(`${options.table}_by_expiry`)} ON ${t} (ns, expires_at) INCLUDE (key);
COMMIT;`,
    fetch: `SELECT ${COLUMNS} FROM ${t} WHERE ns = $1 AND key = $2 AND (expires_at IS NULL OR expires_at > $3)`,
    upsert:
      `INSERT INTO ${t} ${write} VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (ns, key) DO UPDATE SET ` +
      'version = EXCLUDED.version, created_at = EXCLUDED.created_at, last_accessed_at = EXCLUDED.last_accessed_at, ' +
      'timeout_ms = EXCLUDED.timeout_ms, metadata = EXCLUDED.metadata, json_bytes = EXCLUDED.json_bytes',
    /** CAS with expectedVersion 0: inserts only when the row does not exist (expired or not). */
    insertNew: `INSERT INTO ${t} ${write} VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (ns, key) DO NOTHING`,
    /** CAS with expectedVersion > 0: the version check and the write are one statement. */
    updateIfVersion:
      `UPDATE ${t} SET version = $3, created_at = $4, last_accessed_at = $5, timeout_ms = $6, metadata = $7, ` +
      'json_bytes = $8 WHERE ns = $1 AND key = $2 AND version = $9',
    version: `SELECT version FROM ${t} WHERE ns = $1 AND key = $2`,
    delete: `DELETE FROM ${t} WHERE ns = $1 AND key = $2`,
    // Two ranges of the expiry index rather than an OR the planner may not split.
    list:
      `SELECT key FROM ${t} WHERE ns = $1 AND expires_at IS NULL ` +
      `UNION ALL SELECT key FROM ${t} WHERE ns = $1 AND expires_at > $2`,
    // One bounded batch from the expiry index, locked, then deleted by tuple id (ARRAY(...) is
    // computed once: a TID scan, the DELETE never walks the other expired rows). FOR UPDATE
    // rechecks the expiry on a row changed since the snapshot (a session touched meanwhile stays)
    // and holds the rows, so their tuple ids can't move before they are gone; SKIP LOCKED lets two
    // cleanups take disjoint rows (no deadlock, no wait) and leaves a row a writer holds to the
    // next round.
    cleanup:
      `DELETE FROM ${t} WHERE ctid = ANY(ARRAY(` +
      `SELECT ctid FROM ${t} WHERE ns = $1 AND expires_at <= $2 LIMIT $3 FOR UPDATE SKIP LOCKED))`,
    // One statement: the live check, the limits and the write are one UPDATE. When a live row
    // was refused (a limit), the second branch returns it as it was, applied = false, for the
    // error; both branches read the same snapshot, so the refused row is never the touched one.
    touch:
      `WITH touched AS (UPDATE ${t} SET last_accessed_at = ${TOUCHED_LAST}, version = version + 1, ` +
      `json_bytes = ${TOUCHED_BYTES} WHERE ns = $1 AND key = $2 AND ${LIVE} AND version < ${MAX_SAFE} ` +
      `AND (timeout_ms IS NULL OR ${TOUCHED_LAST} + timeout_ms <= ${MAX_SAFE}) AND ${TOUCHED_BYTES} <= $5 ` +
      `RETURNING true AS applied, ${COLUMNS}) ` +
      `SELECT * FROM touched UNION ALL SELECT false, ${COLUMNS} FROM ${t} ` +
      `WHERE ns = $1 AND key = $2 AND ${LIVE} AND NOT EXISTS (SELECT 1 FROM touched)`,
  };
}

/** Unique per statement text, so two tables' statements never collide on one connection. */
export function statementName(op: string, text: string): string {
  return `sb_${op}_${createHash('sha1').update(text).digest('hex').slice(0, 12)}`;
}

/** The columns a write binds after ns and key: version, created_at, last_accessed_at, timeout_ms, metadata, json_bytes. */
export type SessionColumns = [number, number, number, number | null, string, number];

/** What the store binds for `session`, given its JSON text (encodeSession's, whose last field is the metadata). */
export function sessionColumns(session: Session, text: string): SessionColumns {
  // Inside the id's JSON every quote is escaped, and the numbers after it have none: the first
  // `,"metadata":` is the field itself.
  const metadata = text.slice(text.indexOf(',"metadata":') + 12, -1);
  return [
    session.version,
    session.createdAt,
    session.lastAccessedAt,
    session.timeoutMs,
    metadata,
    Buffer.byteLength(text, 'utf8'),
  ];
}

/** A row of COLUMNS (int8 as text, rowMode 'array'). */
export type SessionRowValues = [
  createdAt: string,
  lastAccessedAt: string,
  timeoutMs: string | null,
  version: string,
  metadata: string,
];

/** The session's JSON text from its row: what decodeSession (CORRUPT on anything that is not a session) reads. */
export function rowText(key: string, row: readonly unknown[]): string {
  const [createdAt, lastAccessedAt, timeoutMs, version, metadata] = row as SessionRowValues;
  return `{"id":${key},"createdAt":${createdAt},"lastAccessedAt":${lastAccessedAt},"timeoutMs":${timeoutMs ?? 'null'},"version":${version},"metadata":${metadata}}`;
}

/** The stored session of `id` from its row. */
export function rowSession(id: string, row: readonly unknown[]): Session {
  return decodeSession(rowText(idKey(id), row), id);
}
