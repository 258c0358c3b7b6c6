// The real session stores sessionbench runs by name (`--backend connect-redis`), one table: each
// preset is a real-store module as a team would configure the package from its README, with the
// server it needs (found or started like a reference backend's) and the expiry tolerance its
// source implements, the reason written beside each figure. Each package is imported only when
// its preset opens, so a missing one is a SetupError naming the install command.
import { createHash } from 'node:crypto';
import type { OpenContext, RealStoreModule } from '../contract.js';
import { importPeers } from '../peer-packages.js';
import { MAX_ID_LENGTH } from '../validate.js';
import type { ServerKind } from '../registry.js';
import { LOCAL_POSTGRES_URL } from '../servers/postgres-provider.js';
import { LOCAL_REDIS_URL } from '../servers/redis-provider.js';
import { withTimeout } from '../timeout.js';

export interface Preset {
  module: RealStoreModule;
  /** What it needs from outside the process; backends/servers/provide.ts finds or starts it. */
  server: ServerKind | null;
}

/** The server's URL as provideServer hands it (`options.url`), else the local default. */
/** How long a preset's client may take to connect: the redis client retries forever on its own. */
const CONNECT_TIMEOUT_MS = 10_000;

/** The url of a port where nothing listens, for the unreachable-server scenario. */
const deadRedis = (port: number) => ({ url: `redis://127.0.0.1:${port}` });

function urlOption(context: OpenContext, fallback: string): string {
  const url = context.options?.url;
  return typeof url === 'string' ? url : fallback;
}

/**
 * connect-pg-simple keeps each namespace in a schema of its own (its table keeps the default
 * name, session). Not a table per namespace in one schema: its createTableIfMissing names the
 * primary key and the index session_pkey and IDX_session_expire whatever the table, so a second
 * table in one schema fails to create ("relation session_pkey already exists").
 */
export const PG_SCHEMA_PREFIX = 'sessionbench_';
/** PostgreSQL truncates identifiers beyond 63 bytes: a longer namespace is named by its digest. */
const MAX_IDENTIFIER = 63;

/** Open connect-pg-simple instances per schema, in this process. */
const openSchemas = new Map<string, number>();

/**
 * Drops the schema when the last instance this process opened on it closes and it holds no
 * session (a sid of at most MAX_ID_LENGTH characters; the blob adapter's longer index keys do not
 * count), so runs do not leave a schema per namespace behind. An instance of another process on
 * the same namespace at that moment would lose its table: the CLI runs each namespace in one process.
 */
async function releaseSchema(pool: import('pg').Pool, schemaName: string): Promise<void> {
  const left = (openSchemas.get(schemaName) ?? 1) - 1;
  if (left > 0) {
    openSchemas.set(schemaName, left);
    return;
  }
  openSchemas.delete(schemaName);
  const schema = `"${schemaName.replaceAll('"', '""')}"`;
  const table = await pool.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`${schema}.session`]);
  const { rows } =
    table.rows[0]?.t === null
      ? { rows: [{ n: 0 }] }
      : await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.session WHERE length(sid) <= $1`, [
          MAX_ID_LENGTH,
        ]);
  if (rows[0]?.n === 0) await pool.query(`DROP SCHEMA ${schema} CASCADE`);
}

export function pgSchemaName(namespace: string): string {
  const name = `${PG_SCHEMA_PREFIX}${namespace}`;
  return Buffer.byteLength(name) <= MAX_IDENTIFIER
    ? name
    : `${PG_SCHEMA_PREFIX}${createHash('sha256').update(namespace).digest('hex').slice(0, 40)}`;
}

const PRESETS: Readonly<Record<string, Preset>> = {
  'express-session-memory': {
    server: null,
    module: {
      name: 'express-session-memory',
      kind: 'express-session',
      description: "express-session's own MemoryStore (its docs: not for production; a baseline)",
      // get compares cookie.expires with Date.now() to the millisecond on every read.
      capabilities: { persistent: false, shared: false, expiryToleranceMs: 0 },
      async open() {
        const { default: session } = await importPeers(
          'express-session-memory',
          ['express-session'],
          () => import('express-session'),
        );
        return new session.MemoryStore();
      },
    },
  },
  memorystore: {
    server: null,
    module: {
      name: 'memorystore',
      kind: 'express-session',
      description: 'memorystore: an LRU cache with TTLs in this process, pruned every checkPeriod (24 h, its README)',
      // lru-cache serves an entry until Date.now() - set time > maxAge, so up to 1 ms late on get;
      // length counts expired entries until the checkPeriod prune (not bounded by this tolerance).
      capabilities: { persistent: false, shared: false, expiryToleranceMs: 1 },
      async open() {
        const [{ default: session }, { default: memorystore }] = await importPeers(
          'memorystore',
          ['memorystore', 'express-session'],
          () => Promise.all([import('express-session'), import('memorystore')]),
        );
        const MemoryStore = memorystore(session);
        return new MemoryStore({ checkPeriod: 24 * 60 * 60 * 1000 });
      },
      async close(store) {
        (store as { stopInterval(): void }).stopInterval();
      },
    },
  },
  'connect-redis': {
    server: 'redis',
    module: {
      name: 'connect-redis',
      kind: 'express-session',
      description: 'connect-redis 9 on the redis 5 client: one key per session, SET with EX',
      // TTL is whole seconds, Math.ceil((cookie.expires - now) / 1000): up to 1000 ms late, never early.
      capabilities: { persistent: true, shared: true, expiryToleranceMs: 1000 },
      unreachableOptions: deadRedis,
      async open(context) {
        const [{ RedisStore }, { createClient }] = await importPeers('connect-redis', ['connect-redis', 'redis'], () =>
          Promise.all([import('connect-redis'), import('redis')]),
        );
        const url = urlOption(context, LOCAL_REDIS_URL);
        const client = createClient({ url });
        // An 'error' event with no listener would crash the process; calls report failures themselves.
        client.on('error', () => undefined);
        try {
          await withTimeout(
            client.connect(),
            CONNECT_TIMEOUT_MS,
            `redis client: no connection within ${CONNECT_TIMEOUT_MS} ms`,
          );
        } catch (err) {
          client.destroy(); // else it goes on reconnecting and holds the process open
          throw err;
        }
        return Object.assign(new RedisStore({ client, prefix: `${context.namespace}:` }), {
          sessionbenchClient: client,
        });
      },
      async close(store) {
        await (store as { sessionbenchClient: { close(): Promise<void> } }).sessionbenchClient.close();
      },
    },
  },
  'connect-pg-simple': {
    server: 'postgres',
    module: {
      name: 'connect-pg-simple',
      kind: 'express-session',
      description: `connect-pg-simple 10 on a pg Pool: its session table in a schema per namespace (${PG_SCHEMA_PREFIX}...), createTableIfMissing`,
      // expire is stored in whole seconds (Math.ceil of cookie.expires) and get filters on
      // expire >= Math.ceil(now / 1000): served up to 1000 ms late, never early. Pruning (every
      // 15 min, randomised) only reclaims rows get already hides.
      capabilities: { persistent: true, shared: true, expiryToleranceMs: 1000 },
      unreachableOptions: (port) => ({ url: `postgres://postgres@127.0.0.1:${port}/test` }),
      async open(context) {
        const [{ default: session }, { default: connectPgSimple }, { default: pg }] = await importPeers(
          'connect-pg-simple',
          ['connect-pg-simple', 'express-session', 'pg'],
          () => Promise.all([import('express-session'), import('connect-pg-simple'), import('pg')]),
        );
        const pool = new pg.Pool({ connectionString: urlOption(context, LOCAL_POSTGRES_URL) });
        pool.on('error', () => undefined);
        const schemaName = pgSchemaName(context.namespace);
        try {
          await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schemaName.replaceAll('"', '""')}"`);
        } catch (err) {
          await pool.end();
          throw err;
        }
        const PgStore = connectPgSimple(session);
        const store = new PgStore({ pool, schemaName, createTableIfMissing: true });
        openSchemas.set(schemaName, (openSchemas.get(schemaName) ?? 0) + 1);
        return Object.assign(store, { sessionbenchPool: pool, sessionbenchSchema: schemaName });
      },
      async close(store) {
        const pgStore = store as {
          close(): Promise<void>;
          sessionbenchPool: import('pg').Pool;
          sessionbenchSchema: string;
        };
        await pgStore.close();
        try {
          await releaseSchema(pgStore.sessionbenchPool, pgStore.sessionbenchSchema);
        } finally {
          await pgStore.sessionbenchPool.end();
        }
      },
    },
  },
  'keyv-redis': {
    server: 'redis',
    module: {
      name: 'keyv-redis',
      kind: 'keyv',
      description: 'Keyv 5 on @keyv/redis (createKeyv with a namespace), default options',
      // @keyv/redis sets PX (ms) and Keyv drops a value once Date.now() > its expires: up to 1 ms late.
      capabilities: { persistent: true, shared: true, expiryToleranceMs: 1 },
      unreachableOptions: deadRedis,
      async open(context) {
        const { createKeyv } = await importPeers('keyv-redis', ['keyv', '@keyv/redis'], () => import('@keyv/redis'));
        const keyv = createKeyv(urlOption(context, LOCAL_REDIS_URL), { namespace: context.namespace });
        keyv.on('error', () => undefined);
        return keyv;
      },
      async close(keyv) {
        await (keyv as { disconnect(): Promise<void> }).disconnect();
      },
    },
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);

/** The preset of that name; undefined for any other. */
export function preset(name: string): Preset | undefined {
  return Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
}
