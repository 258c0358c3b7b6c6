// Starts a private PostgreSQL for a run: initdb in a temp dir, then the postgres server itself (not
// pg_ctl, so pid is the postmaster's and a signal reaches it directly) on a free loopback port,
// no Unix socket, trust auth. Dies with this process (child-server.ts); stop() also removes the dir.
//
// initdb and postgres refuse to run as root. Run as root (as here, in CI containers), both are
// spawned with the uid/gid of the `postgres` OS user the distribution packages create (Node's
// spawn options: no runuser/su in between, so a signal sent to pid reaches the postmaster); as
// any other user they run as that user.
import { execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { withTimeout } from '../timeout.js';
import { onFreePort, spawnServer, stopChild, waitReady, type ServerChild } from './child-server.js';

const run = promisify(execFile);

export interface PostgresServer {
  url: string;
  /** The postmaster's pid; a new one after restart(). */
  readonly pid: number;
  /** The temp dir holding the cluster; removed by stop(). */
  dataDir: string;
  port: number;
  /** Fast shutdown (SIGINT, SIGKILL if it lingers), then the data dir is removed. */
  stop(): Promise<void>;
  /** Sends `signal` to the postmaster and returns at once (a crash: SIGKILL). */
  kill(signal: NodeJS.Signals): void;
  /** Starts it again on the same data dir and port (stopping it first if it runs), after a crash too. */
  restart(): Promise<void>;
}

export interface PostgresServerOptions {
  /** How long to wait for initdb, and for the server to answer `SELECT 1`. */
  startTimeoutMs?: number;
  /** Extra server settings (`-c name=value`). */
  settings?: Record<string, string>;
}

const DEFAULT_START_TIMEOUT_MS = 30_000;
const PING_TIMEOUT_MS = 1000;
/** Fast shutdown: rolls back open transactions and disconnects clients (SIGTERM would wait for them). */
const SHUTDOWN_SIGNAL = 'SIGINT';

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

/** The directory holding initdb and postgres: on PATH, else the newest /usr/lib/postgresql/<version>/bin. */
export function findPostgresBin(): string | undefined {
  const versions = (() => {
    try {
      return fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    } catch {
      return [];
    }
  })();
  const dirs = [
    ...(process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== ''),
    ...versions.map((v) => `/usr/lib/postgresql/${v}/bin`),
  ];
  return dirs.find((dir) =>
    ['initdb', 'postgres'].every((bin) => {
      try {
        fs.accessSync(path.join(dir, bin), fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }),
  );
}

/** Who runs the server: this process's user, or as root the `postgres` OS user (uid/gid from /etc/passwd). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined)
    throw new Error('initdb refuses to run as root, and there is no `postgres` OS user to run it as');
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (bin === undefined)
    throw new Error('PostgreSQL is not installed (no initdb and postgres on PATH or in /usr/lib/postgresql/*/bin)');
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const user = serverUser();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessionbench-pg-'));
  const removeDir = (): void => fs.rmSync(dataDir, { recursive: true, force: true });
  process.once('exit', removeDir);
  // cwd inside the data dir: the postgres user may not be allowed to read the caller's cwd.
  const spawnOptions = { cwd: dataDir, ...user };
  let server: ServerChild | undefined;
  const stopServer = async (): Promise<void> => {
    if (server !== undefined) await stopChild(server.child, SHUTDOWN_SIGNAL);
  };
  try {
    if (user !== undefined) fs.chownSync(dataDir, user.uid, user.gid);
    await run(
      path.join(bin, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { ...spawnOptions, timeout: timeoutMs },
    ).catch((err: Error & { stderr?: string }) => {
      throw new Error(`initdb failed: ${err.stderr?.trim() || err.message}`);
    });
    const settings = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: '',
      ...options.settings,
    };
    const launch = async (port: number): Promise<'ready' | 'port taken'> => {
      const args = ['-D', dataDir, '-p', String(port)];
      for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
      server = await spawnServer(path.join(bin, 'postgres'), args, spawnOptions);
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      return waitReady(
        server,
        `postgres on port ${port}`,
        () => pingPostgres(url, PING_TIMEOUT_MS),
        timeoutMs,
        SHUTDOWN_SIGNAL,
      );
    };
    const port = await onFreePort('postgres', async (p) => ((await launch(p)) === 'ready' ? p : 'port taken'));
    const child = (): ChildProcess => server!.child;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      get pid() {
        return child().pid!;
      },
      dataDir,
      port,
      async stop() {
        await stopServer();
        removeDir();
        process.off('exit', removeDir);
      },
      kill(signal) {
        child().kill(signal);
      },
      async restart() {
        await stopServer();
        // After a crash the old server's backends may hold its shared memory, or its port, a moment longer.
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const outcome = await launch(port).catch((err: Error) => err);
          if (outcome === 'ready') return;
          const retry = outcome === 'port taken' || /still in use/.test(outcome.message);
          if (!retry || Date.now() > deadline)
            throw outcome === 'port taken' ? new Error(`postgres: port ${port} stayed taken`) : outcome;
          await sleep(100);
        }
      },
    };
  } catch (err) {
    await stopServer();
    removeDir();
    process.off('exit', removeDir);
    throw err;
  }
}
