// The raw row under the postgres backend: pg on a pool configured exactly as the backend's
// (postgres-client.ts), the backend's own table and statements (postgres-schema.ts), named and
// prepared alike, JSON in and out, nothing else.
import type pg from 'pg';
import type { OpenContext, Session } from '../backends/contract.js';
import { idKey } from '../backends/id-keys.js';
import { DEFAULT_CLEANUP_BATCH } from '../backends/postgres.js';
import { createPool, postgresConnectionOptions } from '../backends/postgres-client.js';
import { rowText, schemaFor, statementName, tableOptions, type Schema } from '../backends/postgres-schema.js';
import type { RawDriver } from './raw-driver.js';

/** Rows per bulk INSERT, and bulk INSERTs in flight: a million rows in seconds, not a million round trips. */
const LOAD_CHUNK = 2000;
const LOAD_IN_FLIGHT = 4;
/** Rows close() deletes per statement. */
const CLOSE_BATCH = 20_000;
/** The columns #row binds, in its order, with their array types for unnest. */
const BULK_COLUMNS: [string, string][] = [
  ['ns', 'text'],
  ['key', 'text'],
  ['version', 'int8'],
  ['created_at', 'int8'],
  ['last_accessed_at', 'int8'],
  ['timeout_ms', 'int8'],
  ['metadata', 'text'],
  ['json_bytes', 'int4'],
];
/** The fetch statement's `now`: before every expiry, so the raw row checks none. */
const BEFORE_EVERY_EXPIRY = 0;

class RawPg implements RawDriver {
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: Schema,
    private readonly ns: string,
  ) {}

  #query(op: Exclude<keyof Schema, 'ddl' | 'table'>, values: unknown[]): Promise<pg.QueryArrayResult> {
    const text = this.schema[op];
    return this.pool.query<unknown[]>({ name: statementName(op, text), text, values, rowMode: 'array' });
  }

  #row(session: Session): unknown[] {
    const metadata = JSON.stringify(session.metadata);
    const { version, createdAt, lastAccessedAt, timeoutMs } = session;
    const bytes = Buffer.byteLength(JSON.stringify(session));
    return [this.ns, idKey(session.id), version, createdAt, lastAccessedAt, timeoutMs, metadata, bytes];
  }

  async insert(session: Session): Promise<void> {
    await this.#query('insertNew', this.#row(session));
  }

  async get(id: string): Promise<Session | undefined> {
    const key = idKey(id);
    const { rows } = await this.#query('fetch', [this.ns, key, BEFORE_EVERY_EXPIRY]);
    return rows.length === 0 ? undefined : (JSON.parse(rowText(key, rows[0]!)) as Session);
  }

  async put(session: Session): Promise<void> {
    await this.#query('upsert', this.#row(session));
  }

  async remove(id: string): Promise<boolean> {
    return ((await this.#query('delete', [this.ns, idKey(id)])).rowCount ?? 0) > 0;
  }

  /**
   * Chunks of rows as one INSERT each: every column bound as an array and unnested, so the
   * statement is one prepared text whatever the chunk's size; the rows are #row's (the store's
   * encoding), and a row already there is replaced as upsert replaces it.
   */
  async loadAll(sessions: Iterable<Session>): Promise<void> {
    const names = BULK_COLUMNS.map(([name]) => name).join(', ');
    const arrays = BULK_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
    const text =
      `INSERT INTO ${this.schema.table} (${names}) SELECT * FROM unnest(${arrays})` +
      this.schema.upsert.slice(this.schema.upsert.indexOf(' ON CONFLICT '));
    const name = statementName('bulk', text);
    const insert = (rows: unknown[][]): Promise<unknown> =>
      this.pool.query({ name, text, values: BULK_COLUMNS.map((_, c) => rows.map((row) => row[c])) });
    let window: Promise<unknown>[] = [];
    let rows: unknown[][] = [];
    for (const session of sessions) {
      rows.push(this.#row(session));
      if (rows.length < LOAD_CHUNK) continue;
      window.push(insert(rows));
      rows = [];
      if (window.length === LOAD_IN_FLIGHT) {
        await Promise.all(window);
        window = [];
      }
    }
    if (rows.length > 0) window.push(insert(rows));
    await Promise.all(window);
  }

  async listLive(now: number): Promise<string[]> {
    return (await this.#query('list', [this.ns, now])).rows.map((row) => JSON.parse(row[0] as string) as string);
  }

  async removeExpired(now: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const deleted = (await this.#query('cleanup', [this.ns, now, DEFAULT_CLEANUP_BATCH])).rowCount ?? 0;
      removed += deleted;
      if (deleted < DEFAULT_CLEANUP_BATCH) return removed;
    }
  }

  async close(): Promise<void> {
    // The server outlives the run: remove every row of this namespace, in batches, each within
    // the statement timeout (one DELETE of a million rows is not).
    const t = this.schema.table;
    const text = `DELETE FROM ${t} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${t} WHERE ns = $1 LIMIT $2))`;
    while (((await this.pool.query(text, [this.ns, CLOSE_BATCH])).rowCount ?? 0) === CLOSE_BATCH);
    await this.pool.end();
  }
}

export async function openRawDriver(context: OpenContext): Promise<RawDriver> {
  const schema = schemaFor(tableOptions(context.options));
  const pool = createPool(postgresConnectionOptions(context.options));
  await pool.query(schema.ddl);
  return new RawPg(pool, schema, idKey(context.namespace));
}
