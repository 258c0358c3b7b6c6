// The raw row under the sqlite backend: better-sqlite3 prepared statements, the backend's own
// schema and statements (sqlite-schema.ts), the same pragmas, JSON in and out, nothing else.
import path from 'node:path';
import Database from 'better-sqlite3';
import type { OpenContext, Session } from '../backends/contract.js';
import { expiresAt } from '../backends/expiry.js';
import { idKey } from '../backends/id-keys.js';
import { durabilityOption } from '../backends/options.js';
import { DB_FILE } from '../backends/sqlite.js';
import { prepareStatements, SCHEMA, type SessionRow, type Statements } from '../backends/sqlite-schema.js';
import type { RawDriver } from './raw-driver.js';

class RawSqlite implements RawDriver {
  readonly #sql: Statements;

  constructor(
    private readonly db: Database.Database,
    private readonly ns: string,
  ) {
    this.#sql = prepareStatements(db);
  }

  #row(session: Session): SessionRow {
    return [this.ns, idKey(session.id), session.version, expiresAt(session), JSON.stringify(session)];
  }

  async insert(session: Session): Promise<void> {
    this.#sql.insertNew.run(...this.#row(session));
  }

  async get(id: string): Promise<Session | undefined> {
    const row = this.#sql.fetch.get(this.ns, idKey(id));
    return row === undefined ? undefined : (JSON.parse(row[0]) as Session);
  }

  async put(session: Session): Promise<void> {
    this.#sql.upsert.run(...this.#row(session));
  }

  async remove(id: string): Promise<boolean> {
    return this.#sql.delete.run(this.ns, idKey(id)).changes > 0;
  }

  async loadAll(sessions: Iterable<Session>): Promise<void> {
    this.db.transaction(() => {
      for (const session of sessions) this.#sql.upsert.run(...this.#row(session));
    })();
  }

  async listLive(now: number): Promise<string[]> {
    return this.#sql.list.all(this.ns, this.ns, now).map((key) => JSON.parse(key) as string);
  }

  async removeExpired(now: number): Promise<number> {
    return this.#sql.cleanup.run(this.ns, now).changes;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

export async function openRawDriver(context: OpenContext): Promise<RawDriver> {
  const db = new Database(path.join(context.dir, DB_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durabilityOption(context.options) === 'full' ? 'FULL' : 'NORMAL'}`);
  db.exec(SCHEMA);
  return new RawSqlite(db, idKey(context.namespace));
}
