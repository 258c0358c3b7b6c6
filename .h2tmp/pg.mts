// Measurement only: connect-pg-simple with a schema of its own per namespace (its table.sql names
// the constraint session_pkey whatever the table, so two tables in one schema clash).
import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import pg from 'pg';
import { createHash } from 'node:crypto';
export default {
  name: 'connect-pg-simple',
  kind: 'express-session',
  capabilities: { persistent: true, shared: true, expiryToleranceMs: 1000 },
  unreachableOptions: (port: number) => ({ url: `postgres://postgres@127.0.0.1:${port}/test` }),
  async open(context: any) {
    const url = context.options?.url ?? 'postgres://postgres@127.0.0.1:5432/test';
    const pool = new pg.Pool({ connectionString: url });
    pool.on('error', () => undefined);
    const schema = 'h2_' + createHash('sha256').update(context.namespace).digest('hex').slice(0, 20);
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    const PgStore = connectPgSimple(session);
    return Object.assign(new PgStore({ pool, schemaName: schema, tableName: 'session', createTableIfMissing: true }), { pool, schema });
  },
  async close(store: any) { await store.close(); try { await store.pool.query(`DROP SCHEMA ${store.schema} CASCADE`); } catch {} await store.pool.end(); },
};
