// Finds a PostgreSQL for a run: DATABASE_URL, else the local 127.0.0.1:5432 (database `test`),
// else (issue 14) a private server started for the run. When none can be had the caller reports
// the backend as skipped, with the reason.
import pg from 'pg';
import { withTimeout } from '../timeout.js';

export type PostgresSource = 'env' | 'local' | 'embedded';

export interface ProvidedPostgres {
  url: string;
  source: PostgresSource;
  stop(): Promise<void>;
}

export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const ENV_PING_TIMEOUT_MS = 2000;
const LOCAL_PING_TIMEOUT_MS = 1000;

const nothingToStop = async (): Promise<void> => {};

/** The URL without its password, for notes and errors. */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(an unparseable URL)';
  }
}

/** undefined when `SELECT 1` answers within `ms`, else why not. */
export async function pingPostgres(url: string, ms: number): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: ms, query_timeout: ms });
  try {
    await withTimeout(
      (async () => {
        await client.connect();
        await client.query('SELECT 1');
      })(),
      ms,
      `no answer within ${ms} ms`,
    );
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await withTimeout(
      client.end().catch(() => undefined),
      ms,
      { resolveWith: undefined },
    );
  }
}

export async function providePostgres(): Promise<ProvidedPostgres | { skipped: string }> {
  const envUrl = process.env.DATABASE_URL;
  if (envUrl !== undefined && envUrl !== '') {
    const reason = await pingPostgres(envUrl, ENV_PING_TIMEOUT_MS);
    if (reason !== undefined)
      return { skipped: `DATABASE_URL ${redactPostgresUrl(envUrl)} does not answer: ${reason}` };
    return { url: envUrl, source: 'env', stop: nothingToStop };
  }
  const reason = await pingPostgres(LOCAL_POSTGRES_URL, LOCAL_PING_TIMEOUT_MS);
  if (reason === undefined) return { url: LOCAL_POSTGRES_URL, source: 'local', stop: nothingToStop };
  return { skipped: `no PostgreSQL: DATABASE_URL is unset and ${LOCAL_POSTGRES_URL} does not answer (${reason})` };
}
