// SQLite reference backend (a DETS row): better-sqlite3 in WAL mode, one file per directory
// (schema and the reasons for it in sqlite-schema.ts).
//
// Every operation is one prepared statement, so each is atomic on its own against every other
// connection, in this process or another: a compare-and-set is a single conditional
// INSERT ... DO NOTHING or UPDATE ... WHERE version = ?, which needs no explicit transaction.
// list and cleanupExpired are ranges of the (ns, expires_at, key) index.
//
// touch is the one exception: a transaction of a SELECT and a conditional UPDATE, begun
// IMMEDIATE (see #touchRow for why not one statement).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { recordCodec, type RecordCodec } from './codec.js';
import type { BackendModule, Session, SessionBackend, StoreOptions } from './contract.js';
import { SessionError } from './errors.js';
import { expiresAt, isExpired } from './expiry.js';
import { idFromKey, idKey } from './id-keys.js';
import { Lifecycle } from './lifecycle.js';
import { booleanOption, durabilityOption, intOption } from './options.js';
import { prepareStatements, SCHEMA, type Statements } from './sqlite-schema.js';
import { checkTouchArguments, touchedRecord, touchedSession } from './touch.js';
import { checkId, checkNow, checkStoreOptions, DEFAULT_MAX_SESSION_BYTES } from './validate.js';

export const DB_FILE = 'sessions.sqlite';
/** How long a writer waits for another connection's write lock before UNAVAILABLE. */
const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** SQLite's damage and lock errors as SessionErrors; anything else is left as it is. */
function translate(err: unknown): unknown {
  if (!(err instanceof Database.SqliteError)) return err;
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(err.code)) {
    return new SessionError('CORRUPT', `sqlite file is damaged: ${err.message}`, { cause: err });
  }
  if (/^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR)/.test(err.code)) {
    return new SessionError('UNAVAILABLE', `sqlite store unavailable: ${err.message}`, { cause: err });
  }
  return err;
}

class SqliteBackend implements SessionBackend {
  readonly #life = new Lifecycle('sqlite');
  readonly #sql: Statements;
  readonly #touchTransaction: (id: string, lastAccessedAt: number, now: number) => Session | undefined;

  constructor(
    private readonly db: Database.Database,
    /** idKey(namespace): the value of the ns column. */
    private readonly ns: string,
    private readonly maxBytes: number,
    /** Sealed records by default (option `checksum`): SQLite has no page checksums. */
    private readonly codec: RecordCodec,
  ) {
    this.#sql = prepareStatements(db);
    // IMMEDIATE takes the write lock before the read: no other connection can write between the
    // two, and the read transaction never has to be upgraded (which fails BUSY at once in WAL).
    this.#touchTransaction = db.transaction((id: string, lastAccessedAt: number, now: number) =>
      this.#touchRow(id, lastAccessedAt, now),
    ).immediate;
  }

  async store(session: Session, options?: StoreOptions): Promise<void> {
    this.#life.assertOpen();
    const expected = checkStoreOptions(options);
    const text = this.codec.encode(session, this.maxBytes);
    const key = idKey(session.id);
    const expiry = expiresAt(session);
    try {
      if (expected === undefined) {
        this.#sql.upsert.run(this.ns, key, session.version, expiry, text);
        return;
      }
      const { changes } =
        expected === 0
          ? this.#sql.insertNew.run(this.ns, key, session.version, expiry, text)
          : this.#sql.updateIfVersion.run(session.version, expiry, text, this.ns, key, expected);
      if (changes === 1) return;
      // Only for the message: the row may change again before this read.
      const stored = this.#sql.version.get(this.ns, key) ?? 0;
      throw new SessionError('CONFLICT', `expected version ${expected}, stored ${stored}`);
    } catch (err) {
      throw translate(err);
    }
  }

  async fetch(id: string, now: number): Promise<Session | undefined> {
    this.#life.assertOpen();
    checkId(id);
    checkNow(now);
    let row: [string, number | null] | undefined;
    try {
      row = this.#sql.fetch.get(this.ns, idKey(id));
    } catch (err) {
      throw translate(err);
    }
    if (row === undefined || isExpired(row[1], now)) return undefined;
    return this.codec.decode(row[0], id);
  }

  async touch(id: string, lastAccessedAt: number, now: number): Promise<Session | undefined> {
    this.#life.assertOpen();
    checkTouchArguments(id, lastAccessedAt, now);
    try {
      return this.#touchTransaction(id, lastAccessedAt, now);
    } catch (err) {
      throw translate(err);
    }
  }

  /**
   * Inside the transaction. Not one UPDATE: the body is a sealed record (a SHA-1 digest SQL can't
   * compute, over JSON whose lastAccessedAt the new expires_at needs), and its digest must be
   * checked before it is rewritten, or a damaged record would come out with a valid one. One
   * UPDATE calling a JS function for that measured only 3.5 µs (7%) faster here: the time is in
   * decoding and sealing, which both ways do.
   */
  #touchRow(id: string, lastAccessedAt: number, now: number): Session | undefined {
    const key = idKey(id);
    const row = this.#sql.fetch.get(this.ns, key);
    if (row === undefined || isExpired(row[1], now)) return undefined;
    const stored = this.codec.decode(row[0], id);
    const next = touchedSession(stored, lastAccessedAt);
    const text = touchedRecord(this.codec, row[0], next, this.maxBytes);
    // Under the write lock nothing else wrote: only a version column that disagrees with its
    // record (damage) can make this miss, and then the touch must not claim it was applied.
    const { changes } = this.#sql.updateIfVersion.run(
      next.version,
      expiresAt(next),
      text,
      this.ns,
      key,
      stored.version,
    );
    if (changes !== 1) throw new SessionError('CORRUPT', 'stored version column disagrees with its record');
    return next;
  }

  async delete(id: string): Promise<boolean> {
    this.#life.assertOpen();
    checkId(id);
    try {
      return this.#sql.delete.run(this.ns, idKey(id)).changes > 0;
    } catch (err) {
      throw translate(err);
    }
  }

  async list(now: number): Promise<string[]> {
    this.#life.assertOpen();
    checkNow(now);
    try {
      return this.#sql.list.all(this.ns, this.ns, now).map(idFromKey);
    } catch (err) {
      throw translate(err);
    }
  }

  async cleanupExpired(now: number): Promise<number> {
    this.#life.assertOpen();
    checkNow(now);
    try {
      return this.#sql.cleanup.run(this.ns, now).changes;
    } catch (err) {
      throw translate(err);
    }
  }

  async close(): Promise<void> {
    if (this.#life.close()) this.db.close();
  }
}

function openDatabase(file: string, busyTimeoutMs: number, full: boolean, integrityCheck: boolean): Database.Database {
  const db = new Database(file, { timeout: busyTimeoutMs });
  try {
    // The first statement reads the header: a file that is not a database fails here (NOTADB).
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit is durable at the next checkpoint and the file never corrupts;
    // FULL also syncs the WAL on every commit.
    db.pragma(`synchronous = ${full ? 'FULL' : 'NORMAL'}`);
    if (integrityCheck) {
      // integrity_check, not quick_check: only it compares index entries with their rows, and a
      // damaged key in the expiry index would otherwise make list() name an id never stored.
      // Measured here: 10k sessions 9 -> 47 ms, 100k 80 -> 342 ms.
      const result: unknown = db.pragma('integrity_check', { simple: true });
      if (result !== 'ok') {
        const firstProblems = String(result).split('\n').slice(0, 3).join('; ');
        throw new SessionError('CORRUPT', `sqlite integrity_check failed: ${firstProblems}`);
      }
    }
    db.exec(SCHEMA);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

const sqlite: BackendModule = {
  name: 'sqlite',
  description:
    'better-sqlite3 in WAL mode, one file per directory (like DETS, but transactional and shared between processes).',
  capabilities: { persistent: true, shared: true, maxSessionBytes: DEFAULT_MAX_SESSION_BYTES },
  async open(context) {
    const maxBytes = intOption(context.options, 'maxSessionBytes', DEFAULT_MAX_SESSION_BYTES);
    const busyTimeoutMs = intOption(context.options, 'busyTimeoutMs', DEFAULT_BUSY_TIMEOUT_MS);
    const full = durabilityOption(context.options) === 'full';
    // `integrityCheck: true` runs PRAGMA integrity_check on open (reads the whole file).
    const integrityCheck = booleanOption(context.options, 'integrityCheck', false);
    const codec = recordCodec(context.options);
    try {
      fs.mkdirSync(context.dir, { recursive: true });
      const db = openDatabase(path.join(context.dir, DB_FILE), busyTimeoutMs, full, integrityCheck);
      return new SqliteBackend(db, idKey(context.namespace), maxBytes, codec);
    } catch (err) {
      throw translate(err);
    }
  },
};

export default sqlite;
