// Connecting to PostgreSQL with every wait bounded, and turning driver errors into SessionErrors.
// The backend and its raw row (benchmarks/raw-pg.ts) share this pool configuration.
import pg from 'pg';
import { isSessionError, SessionError } from './errors.js';
import { durabilityOption, intOption } from './options.js';
import { redactPostgresUrl } from './servers/postgres-provider.js';
import { withTimeout } from './timeout.js';

export const DEFAULT_QUERY_TIMEOUT_MS = 5000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
export const DEFAULT_POOL_SIZE = 10;
/** How long the client waits past statement_timeout: the server cancels first and the connection stays usable. */
const CLIENT_TIMEOUT_MARGIN_MS = 1000;

export interface PostgresConnection {
  url: string;
  queryTimeoutMs: number;
  connectTimeoutMs: number;
  poolSize: number;
  /** synchronous_commit on ('full') or off ('normal'). */
  full: boolean;
}

/** The URL from options.url, else DATABASE_URL; timeouts, pool size and durability from the options. */
export function postgresConnectionOptions(options: Record<string, unknown> | undefined): PostgresConnection {
  const url = options?.url ?? process.env.DATABASE_URL;
  if (url === undefined || url === '') {
    throw new SessionError('UNAVAILABLE', 'no PostgreSQL to connect to: pass options.url or set DATABASE_URL');
  }
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url)) {
    throw new SessionError('INVALID_SESSION', 'option url must be a postgres:// or postgresql:// URL');
  }
  return {
    url,
    queryTimeoutMs: intOption(options, 'queryTimeoutMs', DEFAULT_QUERY_TIMEOUT_MS),
    connectTimeoutMs: intOption(options, 'connectTimeoutMs', DEFAULT_CONNECT_TIMEOUT_MS),
    poolSize: intOption(options, 'poolSize', DEFAULT_POOL_SIZE),
    full: durabilityOption(options) === 'full',
  };
}

/**
 * Data the server itself reports damaged is CORRUPT; every other failure (refused, reset,
 * terminated, timed out, too many connections, shutting down, ...) is UNAVAILABLE.
 */
export function toSessionError(err: unknown): SessionError {
  if (isSessionError(err)) return err as SessionError;
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code === 'XX001' || code === 'XX002') {
    return new SessionError('CORRUPT', `postgres reports damage: ${message}`, { cause: err });
  }
  return new SessionError('UNAVAILABLE', `postgres: ${message}`, { cause: err });
}

/** A pool whose every query is bounded (statement_timeout on the server, query_timeout on the client). */
export function createPool(connection: PostgresConnection): pg.Pool {
  const pool = new pg.Pool({
    connectionString: connection.url,
    max: connection.poolSize,
    connectionTimeoutMillis: connection.connectTimeoutMs,
    statement_timeout: connection.queryTimeoutMs,
    query_timeout: connection.queryTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
    options: `-c synchronous_commit=${connection.full ? 'on' : 'off'}`,
    keepAlive: true,
  });
  // An idle connection the server dropped (restart, pg_terminate_backend) is removed by the pool;
  // the next query opens a new one, or fails and says why.
  pool.on('error', () => {});
  return pool;
}

/** Runs `first` on a new pool within connectTimeoutMs + queryTimeoutMs; on failure the pool is ended and the error is UNAVAILABLE. */
export async function openPool<T>(
  connection: PostgresConnection,
  first: (pool: pg.Pool) => Promise<T>,
): Promise<{ pool: pg.Pool; result: T }> {
  const pool = createPool(connection);
  const bound = connection.connectTimeoutMs + connection.queryTimeoutMs;
  try {
    const result = await withTimeout(first(pool), bound, `no answer within ${bound} ms`);
    return { pool, result };
  } catch (err) {
    await closePool(pool, connection);
    if (isSessionError(err)) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new SessionError('UNAVAILABLE', `cannot use ${redactPostgresUrl(connection.url)}: ${why}`, { cause: err });
  }
}

/** Ends the pool, bounded: a dead server never answers the goodbye. */
export async function closePool(pool: pg.Pool, connection: PostgresConnection): Promise<void> {
  await withTimeout(
    pool.end().catch(() => {}),
    connection.connectTimeoutMs,
    { resolveWith: undefined },
  );
}
