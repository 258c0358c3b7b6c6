// Finds a PostgreSQL for a run: DATABASE_URL, else the local 127.0.0.1:5432 (database `test`),
// else a private server started for the run (postgres-server.ts). When none can be had the caller
// reports the backend as skipped, with the reason.
import { pingPostgres, startPostgresServer } from './postgres-server.js';

export type PostgresSource = 'env' | 'local' | 'embedded';

export interface ProvidedPostgres {
  url: string;
  source: PostgresSource;
  /** The private server's postmaster pid and temp dir. */
  pid?: number;
  dataDir?: string;
  stop(): Promise<void>;
}

export interface ProvidePostgresOptions {
  /** Ignore DATABASE_URL and 127.0.0.1:5432: start a private server. */
  forceEmbedded?: boolean;
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

async function startEmbedded(why: string): Promise<ProvidedPostgres | { skipped: string }> {
  try {
    const server = await startPostgresServer();
    return { url: server.url, source: 'embedded', pid: server.pid, dataDir: server.dataDir, stop: server.stop };
  } catch (err) {
    return { skipped: `no PostgreSQL: ${why}, and a private server could not be started: ${(err as Error).message}` };
  }
}

export async function providePostgres(
  options: ProvidePostgresOptions = {},
): Promise<ProvidedPostgres | { skipped: string }> {
  if (options.forceEmbedded) return startEmbedded('the private server was asked for');
  const envUrl = process.env.DATABASE_URL;
  if (envUrl !== undefined && envUrl !== '') {
    const reason = await pingPostgres(envUrl, ENV_PING_TIMEOUT_MS);
    if (reason !== undefined)
      return { skipped: `DATABASE_URL ${redactPostgresUrl(envUrl)} does not answer: ${reason}` };
    return { url: envUrl, source: 'env', stop: nothingToStop };
  }
  const reason = await pingPostgres(LOCAL_POSTGRES_URL, LOCAL_PING_TIMEOUT_MS);
  if (reason === undefined) return { url: LOCAL_POSTGRES_URL, source: 'local', stop: nothingToStop };
  return startEmbedded(`DATABASE_URL is unset and ${LOCAL_POSTGRES_URL} does not answer (${reason})`);
}
