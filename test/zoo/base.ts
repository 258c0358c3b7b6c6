// The zoo's correct backend, built from parts a zoo member can replace one at a time: where rows
// live (a Map, or a better-sqlite3 file shared by every instance on the same dir and namespace),
// how an id becomes a key, how a session is admitted and handed back, when it counts as expired,
// when a write conflicts, what touch (contract v2) accepts, acts on and writes. Each member
// overrides exactly one part, so its file shows just its bug.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { encodeSession } from '../../backends/codec.js';
import type {
  BackendCapabilities,
  BackendModule,
  OpenContext,
  Session,
  SessionBackend,
  StoreOptions,
} from '../../backends/contract.js';
import { SessionError } from '../../backends/errors.js';
import { expiresAt, isExpired } from '../../backends/expiry.js';
import { idKey } from '../../backends/id-keys.js';
import { Lifecycle } from '../../backends/lifecycle.js';
import { intOption } from '../../backends/options.js';
import { checkTouchArguments, touchedSession } from '../../backends/touch.js';
import { checkId, checkNow, checkStoreOptions, DEFAULT_MAX_SESSION_BYTES } from '../../backends/validate.js';

/** Where sessions live, by key. Rows are sessions the backend already admitted. */
export interface Table {
  get(key: string): Session | undefined;
  set(key: string, session: Session): void;
  delete(key: string): boolean;
  entries(): [key: string, session: Session][];
  /** Runs `body` atomically against every other instance on the same store. */
  atomic<T>(body: () => T): T;
  close(): void;
}

export class MemoryTable implements Table {
  protected readonly rows = new Map<string, Session>();

  get(key: string): Session | undefined {
    return this.rows.get(key);
  }

  set(key: string, session: Session): void {
    this.rows.set(key, session);
  }

  delete(key: string): boolean {
    return this.rows.delete(key);
  }

  entries(): [string, Session][] {
    return [...this.rows];
  }

  atomic<T>(body: () => T): T {
    return body();
  }

  close(): void {
    this.rows.clear();
  }
}

export interface SqliteTableOptions {
  /** SQLite collation of the key column (BINARY when unset). */
  keyCollation?: 'NOCASE' | 'RTRIM';
}

/** A real better-sqlite3 file in the run's dir: persistent, and shared by every instance opened on it. */
export class SqliteTable implements Table {
  protected readonly db: Database.Database;
  protected readonly namespace: string;
  /** The table's name: one per key collation, since the collation is part of its schema. */
  protected readonly name: string;
  readonly #get: Database.Statement<[string, string], { body: string }>;
  readonly #set: Database.Statement<[string, string, string]>;
  readonly #delete: Database.Statement<[string, string]>;
  readonly #entries: Database.Statement<[string], { key: string; body: string }>;
  readonly #transaction: Database.Transaction<(body: () => unknown) => unknown>;

  constructor(context: OpenContext, options: SqliteTableOptions = {}) {
    this.db = new Database(join(context.dir, 'zoo.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    // No fsync per commit: the zoo's files live for one run and never see a crash.
    this.db.pragma('synchronous = NORMAL');
    const collation = options.keyCollation ?? 'BINARY';
    const table = `sessions_${collation.toLowerCase()}`;
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS ${table} (ns TEXT NOT NULL, key TEXT NOT NULL COLLATE ${collation}, body TEXT NOT NULL, PRIMARY KEY (ns, key))`,
    );
    this.namespace = context.namespace;
    this.name = table;
    this.#get = this.db.prepare(`SELECT body FROM ${table} WHERE ns = ? AND key = ?`);
    this.#set = this.db.prepare(`INSERT OR REPLACE INTO ${table} (ns, key, body) VALUES (?, ?, ?)`);
    this.#delete = this.db.prepare(`DELETE FROM ${table} WHERE ns = ? AND key = ?`);
    this.#entries = this.db.prepare(`SELECT key, body FROM ${table} WHERE ns = ?`);
    this.#transaction = this.db.transaction((body: () => unknown) => body());
  }

  get(key: string): Session | undefined {
    const row = this.#get.get(this.namespace, key);
    return row === undefined ? undefined : (JSON.parse(row.body) as Session);
  }

  set(key: string, session: Session): void {
    this.#set.run(this.namespace, key, JSON.stringify(session));
  }

  delete(key: string): boolean {
    return this.#delete.run(this.namespace, key).changes > 0;
  }

  entries(): [string, Session][] {
    return this.#entries.all(this.namespace).map((row) => [row.key, JSON.parse(row.body) as Session]);
  }

  atomic<T>(body: () => T): T {
    // IMMEDIATE takes the write lock up front, so no other connection writes between read and write.
    return this.#transaction.immediate(body) as T;
  }

  close(): void {
    this.db.close();
  }
}

export function conflict(expected: number, stored: Session | undefined): SessionError {
  return new SessionError('CONFLICT', `expected version ${expected}, stored ${stored?.version ?? 0}`);
}

export type Method = keyof SessionBackend;

export class ZooBackend implements SessionBackend {
  protected readonly life = new Lifecycle('zoo');

  constructor(
    protected readonly table: Table,
    protected readonly maxBytes: number,
  ) {}

  // ---- the parts ----------------------------------------------------------------------------

  /** Refuses calls after close(). */
  protected guard(_method: Method): void {
    this.life.assertOpen();
  }

  /** The id a caller passed, checked. */
  protected validId(id: string): string {
    return checkId(id);
  }

  /** The key a session is filed under: injective, so two ids never share a row. */
  protected key(id: string): string {
    return idKey(id);
  }

  /** Validates what store() took and snapshots it, so the caller can't alias what is stored. */
  protected admit(session: Session): Session {
    return JSON.parse(encodeSession(session, this.maxBytes)) as Session;
  }

  /** The caller's own copy of a stored session. */
  protected emit(session: Session): Session {
    return structuredClone(session);
  }

  protected expired(session: Session, now: number): boolean {
    return isExpired(expiresAt(session), now);
  }

  /** What cleanupExpired removes. */
  protected expiredForCleanup(session: Session, now: number): boolean {
    return this.expired(session, now);
  }

  protected conflicts(stored: Session | undefined, _incoming: Session, expected: number | undefined): boolean {
    return expected !== undefined && (stored?.version ?? 0) !== expected;
  }

  /** Checks touch's arguments (DESIGN's codes). */
  protected checkTouch(id: string, lastAccessedAt: number, now: number): void {
    checkTouchArguments(id, lastAccessedAt, now);
  }

  /** Whether touch may act on what it found under the key: a live session only. */
  protected touchable(stored: Session | undefined, now: number): stored is Session {
    return stored !== undefined && !this.expired(stored, now);
  }

  /** The session a touch writes. */
  protected touched(stored: Session, lastAccessedAt: number): Session {
    return touchedSession(stored, lastAccessedAt);
  }

  /** Compare-and-set and write, atomically. */
  protected async write(key: string, session: Session, expected: number | undefined): Promise<void> {
    this.table.atomic(() => {
      const stored = this.table.get(key);
      if (this.conflicts(stored, session, expected)) throw conflict(expected!, stored);
      this.table.set(key, session);
    });
  }

  // ---- the contract -------------------------------------------------------------------------

  async store(session: Session, options?: StoreOptions): Promise<void> {
    this.guard('store');
    const expected = checkStoreOptions(options);
    const admitted = this.admit(session);
    await this.write(this.key(admitted.id), admitted, expected);
  }

  async fetch(id: string, now: number): Promise<Session | undefined> {
    this.guard('fetch');
    const key = this.key(this.validId(id));
    checkNow(now);
    const session = this.table.get(key);
    return session === undefined || this.expired(session, now) ? undefined : this.emit(session);
  }

  async delete(id: string): Promise<boolean> {
    this.guard('delete');
    return this.table.delete(this.key(this.validId(id)));
  }

  async list(now: number): Promise<string[]> {
    this.guard('list');
    checkNow(now);
    return this.table
      .entries()
      .filter(([, session]) => !this.expired(session, now))
      .map(([, session]) => session.id);
  }

  async cleanupExpired(now: number): Promise<number> {
    this.guard('cleanupExpired');
    checkNow(now);
    return this.table.atomic(() => {
      let removed = 0;
      // Keys go in by this.key(id), never back out: a store may not return a key as it took it.
      for (const [, session] of this.table.entries()) {
        if (this.expiredForCleanup(session, now) && this.table.delete(this.key(session.id))) removed++;
      }
      return removed;
    });
  }

  async touch(id: string, lastAccessedAt: number, now: number): Promise<Session | undefined> {
    this.guard('touch');
    this.checkTouch(id, lastAccessedAt, now);
    const key = this.key(id);
    return this.table.atomic(() => {
      const stored = this.table.get(key);
      if (!this.touchable(stored, now)) return undefined;
      const next = this.touched(stored, lastAccessedAt);
      this.table.set(key, next);
      return this.emit(next);
    });
  }

  async close(): Promise<void> {
    if (this.life.close()) this.table.close();
  }
}

/**
 * The id itself as the key: injective in better-sqlite3, which stores a lone surrogate as its own
 * (WTF-8) bytes, but reads it back as U+FFFD: such keys are only ever written and compared.
 */
export class RawIdKeys extends ZooBackend {
  protected override key(id: string): string {
    return id;
  }
}

export interface ZooSpec {
  name: string;
  /** One line: the bug. */
  description: string;
  /** The backend with its one bug; ZooBackend itself when the bug is in the table. */
  backend?: new (table: Table, maxBytes: number) => ZooBackend;
  /** Where rows live; default a Map private to the instance. */
  table?: (context: OpenContext) => Table;
  /** Default: none, as a Map private to the instance has. */
  capabilities?: BackendCapabilities;
}

/** A better-sqlite3 table in the run's dir: persistent and shared. */
export const onSqlite = {
  table: (context: OpenContext): Table => new SqliteTable(context),
  capabilities: { persistent: true, shared: true, maxSessionBytes: DEFAULT_MAX_SESSION_BYTES },
} satisfies Partial<ZooSpec>;

export function zooModule(spec: ZooSpec): BackendModule {
  const Backend = spec.backend ?? ZooBackend;
  const makeTable = spec.table ?? ((): Table => new MemoryTable());
  return {
    name: spec.name,
    description: spec.description,
    capabilities: spec.capabilities ?? { persistent: false, shared: false, maxSessionBytes: DEFAULT_MAX_SESSION_BYTES },
    async open(context) {
      const maxBytes = intOption(context.options, 'maxSessionBytes', DEFAULT_MAX_SESSION_BYTES);
      return new Backend(makeTable(context), maxBytes);
    },
  };
}
