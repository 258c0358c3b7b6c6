// PostgreSQL reference backend (the store most web apps already run): pg's Pool, one table for
// every namespace (schema and statements in postgres-schema.ts, connection in postgres-client.ts).
//
// Every operation is one named prepared statement, so each is atomic on its own against every
// other connection: compare-and-set is a single INSERT ... ON CONFLICT DO NOTHING or UPDATE ...
// WHERE version = $n, touch a single UPDATE that never revives an expired row, and cleanup
// deletes bounded batches found through the expiry index.
import type pg from 'pg';
import { encodeSession } from './codec.js';
import type { BackendModule, Session, SessionBackend, StoreOptions } from './contract.js';
import { SessionError } from './errors.js';
import { idFromKey, idKey } from './id-keys.js';
import { Lifecycle } from './lifecycle.js';
import { intOption } from './options.js';
import {
  closePool,
  openPool,
  postgresConnectionOptions,
  toSessionError,
  type PostgresConnection,
} from './postgres-client.js';
import { rowSession, schemaFor, sessionColumns, statementName, tableOptions, type Schema } from './postgres-schema.js';
import { checkTouchArguments, touchedSession } from './touch.js';
import { checkId, checkNow, checkStoreOptions, DEFAULT_MAX_SESSION_BYTES } from './validate.js';

/** Rows one cleanup statement deletes: bounds how long it holds row locks. */
export const DEFAULT_CLEANUP_BATCH = 1000;
/** A touch refused for a row that a concurrent write changed meanwhile is run again, this often at most. */
const TOUCH_ATTEMPTS = 5;
/** 'p' a logged table, 'u' an unlogged one; no row: no such table. */
const PERSISTENCE = 'SELECT relpersistence FROM pg_class WHERE oid = to_regclass($1)';

type StatementName = Exclude<keyof Schema, 'ddl' | 'table'>;
type Query = (values: unknown[]) => Promise<pg.QueryArrayResult>;

class PostgresBackend implements SessionBackend {
  readonly #life = new Lifecycle('postgres');
  readonly #q: Record<StatementName, Query>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connection: PostgresConnection,
    schema: Schema,
    /** idKey(namespace): the value of the ns column. */
    private readonly ns: string,
    private readonly maxBytes: number,
    private readonly cleanupBatch: number,
  ) {
    const prepared = (op: StatementName): Query => {
      const text = schema[op];
      const name = statementName(op, text);
      return (values) =>
        pool.query<unknown[]>({ name, text, values, rowMode: 'array' }).catch((err: unknown) => {
          throw toSessionError(err);
        });
    };
    this.#q = {
      fetch: prepared('fetch'),
      upsert: prepared('upsert'),
      insertNew: prepared('insertNew'),
      updateIfVersion: prepared('updateIfVersion'),
      version: prepared('version'),
      delete: prepared('delete'),
      list: prepared('list'),
      cleanup: prepared('cleanup'),
      touch: prepared('touch'),
    };
  }

  async store(session: Session, options?: StoreOptions): Promise<void> {
    this.#life.assertOpen();
    const expected = checkStoreOptions(options);
    const text = encodeSession(session, this.maxBytes);
    const row = [this.ns, idKey(session.id), ...sessionColumns(session, text)];
    if (expected === undefined) {
      await this.#q.upsert(row);
      return;
    }
    const { rowCount } =
      expected === 0 ? await this.#q.insertNew(row) : await this.#q.updateIfVersion([...row, expected]);
    if (rowCount === 1) return;
    // Only for the message: the row may change again before this read.
    const { rows } = await this.#q.version([this.ns, idKey(session.id)]);
    throw new SessionError('CONFLICT', `expected version ${expected}, stored ${rows[0]?.[0] ?? 0}`);
  }

  async fetch(id: string, now: number): Promise<Session | undefined> {
    this.#life.assertOpen();
    checkId(id);
    checkNow(now);
    const { rows } = await this.#q.fetch([this.ns, idKey(id), now]);
    return rows.length === 0 ? undefined : rowSession(id, rows[0]!);
  }

  async touch(id: string, lastAccessedAt: number, now: number): Promise<Session | undefined> {
    this.#life.assertOpen();
    checkTouchArguments(id, lastAccessedAt, now);
    for (let attempt = 1; attempt <= TOUCH_ATTEMPTS; attempt++) {
      const { rows } = await this.#q.touch([this.ns, idKey(id), lastAccessedAt, now, this.maxBytes]);
      if (rows.length === 0) return undefined;
      const [applied, ...columns] = rows[0]!;
      const stored = rowSession(id, columns);
      if (applied === true) return stored;
      // Refused: the statement's limits are touchedSession's and encodeSession's, which say why.
      encodeSession(touchedSession(stored, lastAccessedAt), this.maxBytes);
      // Neither refuses it: a concurrent write changed the row after this statement's snapshot.
    }
    throw new SessionError('UNAVAILABLE', `postgres: touch kept racing concurrent writes (${TOUCH_ATTEMPTS} attempts)`);
  }

  async delete(id: string): Promise<boolean> {
    this.#life.assertOpen();
    checkId(id);
    return ((await this.#q.delete([this.ns, idKey(id)])).rowCount ?? 0) > 0;
  }

  async list(now: number): Promise<string[]> {
    this.#life.assertOpen();
    checkNow(now);
    return (await this.#q.list([this.ns, now])).rows.map((row) => idFromKey(row[0]));
  }

  async cleanupExpired(now: number): Promise<number> {
    this.#life.assertOpen();
    checkNow(now);
    let removed = 0;
    for (;;) {
      const deleted = (await this.#q.cleanup([this.ns, now, this.cleanupBatch])).rowCount ?? 0;
      removed += deleted;
      if (deleted < this.cleanupBatch) return removed;
    }
  }

  async close(): Promise<void> {
    if (this.#life.close()) await closePool(this.pool, this.connection);
  }
}

const postgres: BackendModule = {
  name: 'postgres',
  description:
    'PostgreSQL via pg (a Pool): one table for every namespace, CAS and touch as single statements, bounded cleanup batches.',
  capabilities: { persistent: true, shared: true, maxSessionBytes: DEFAULT_MAX_SESSION_BYTES },
  async open(context) {
    const connection = postgresConnectionOptions(context.options);
    const table = tableOptions(context.options);
    const maxBytes = intOption(context.options, 'maxSessionBytes', DEFAULT_MAX_SESSION_BYTES);
    const cleanupBatch = intOption(context.options, 'cleanupBatch', DEFAULT_CLEANUP_BATCH);
    const schema = schemaFor(table);
    const { pool } = await openPool(connection, async (p) => {
      const persistence = async (): Promise<string | undefined> =>
        (await p.query<[string]>({ text: PERSISTENCE, values: [schema.table], rowMode: 'array' })).rows[0]?.[0];
      // The DDL only when the table is missing: CREATE ... IF NOT EXISTS still takes locks, and
      // the suite opens thousands of instances.
      const found = (await persistence()) ?? (await p.query(schema.ddl), await persistence());
      // CREATE ... IF NOT EXISTS keeps a table made earlier with the other setting; say so rather than run on it.
      if ((found === 'u') !== table.unlogged) {
        throw new SessionError(
          'INVALID_SESSION',
          `option unlogged is ${table.unlogged}, but table ${schema.table} exists ${table.unlogged ? 'logged' : 'unlogged'}`,
        );
      }
    });
    return new PostgresBackend(pool, connection, schema, idKey(context.namespace), maxBytes, cleanupBatch);
  },
};

export default postgres;
