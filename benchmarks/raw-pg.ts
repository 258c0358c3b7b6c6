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

const LOAD_CHUNK = 100;
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

  async loadAll(sessions: Iterable<Session>): Promise<void> {
    let chunk: Promise<unknown>[] = [];
    for (const session of sessions) {
      chunk.push(this.put(session));
      if (chunk.length === LOAD_CHUNK) {
        await Promise.all(chunk);
        chunk = [];
      }
    }
    await Promise.all(chunk);
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
    // The server outlives the run: remove every row of this namespace.
    await this.pool.query(`DELETE FROM ${this.schema.table} WHERE ns = $1`, [this.ns]);
    await this.pool.end();
  }
}

export async function openRawDriver(context: OpenContext): Promise<RawDriver> {
  const schema = schemaFor(tableOptions(context.options));
  const pool = createPool(postgresConnectionOptions(context.options));
  await pool.query(schema.ddl);
  return new RawPg(pool, schema, idKey(context.namespace));
}
