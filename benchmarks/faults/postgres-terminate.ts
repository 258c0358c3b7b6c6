// PostgreSQL connections terminated under load (fault-load.ts): from an admin connection of its
// own, pg_terminate_backend ends every other client connection of a private server, as a DBA, a
// failover proxy or an idle-session killer does. Calls in flight must fail with UNAVAILABLE within
// a bound (never hang, never another code), the pool must reconnect by itself, the load must go
// on, and no acknowledged write may be lost. Repeated `terminations` times on one server, each on
// a freshly opened backend.
import os from 'node:os';
import pg from 'pg';
import type { BackendModule, SessionBackend } from '../../backends/contract.js';
import { loadReferenceBackend } from '../../backends/registry.js';
import { startPostgresServer } from '../../backends/servers/postgres-server.js';
import { withTimeout } from '../../backends/timeout.js';
import {
  countLost,
  loadFaultSettings,
  runUnderLoad,
  type LoadFaultFigures,
  type LoadFaultOptions,
} from './fault-load.js';

export interface PostgresTerminateOptions extends LoadFaultOptions {
  terminations: number;
  /** A postgres-backed module opened with { url, queryTimeoutMs, connectTimeoutMs }; default the reference postgres. */
  module?: BackendModule;
}

export interface PostgresTerminateResult extends LoadFaultFigures {
  backend: string;
  terminations: number;
  /** Connections pg_terminate_backend ended, over all terminations. */
  connectionsTerminated: number;
  /** Distinct sessions acknowledged, and those not read back afterwards at their acknowledged version, as stored. */
  acknowledged: number;
  lost: number;
  /** Fetches (under load) that did not see the write their worker had just had acknowledged. */
  readsBehind: number;
}

const ADMIN_TIMEOUT_MS = 5000;

// Every client connection but the admin's own; the server is private, so they are all the pool's.
const TERMINATE_SQL = `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
  WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`;

export async function runPostgresTerminate(options: PostgresTerminateOptions): Promise<PostgresTerminateResult> {
  // A query's bound: statement_timeout on a loaded machine must not fail a call before the fault.
  const settings = loadFaultSettings('pg_terminate_backend', {
    ...options,
    commandTimeoutMs: options.commandTimeoutMs ?? 2000,
  });
  const { commandTimeoutMs } = settings;
  const module = options.module ?? (await loadReferenceBackend('postgres'));
  const server = await startPostgresServer();
  const admin = new pg.Client({
    connectionString: server.url,
    connectionTimeoutMillis: ADMIN_TIMEOUT_MS,
    query_timeout: ADMIN_TIMEOUT_MS,
  });
  admin.on('error', () => {}); // the server's stop ends it too
  const result: PostgresTerminateResult = {
    backend: module.name,
    terminations: options.terminations,
    connectionsTerminated: 0,
    errors: 0,
    errorCodes: {},
    recoveryMs: null,
    hung: false,
    slowestFailureMs: 0,
    commandTimeoutMs,
    operations: 0,
    acknowledged: 0,
    lost: 0,
    readsBehind: 0,
  };
  try {
    await admin.connect();
    for (let n = 0; n < options.terminations; n++) {
      const backend = await module.open({
        dir: os.tmpdir(),
        namespace: `terminate-${n}`,
        options: { url: server.url, queryTimeoutMs: commandTimeoutMs, connectTimeoutMs: commandTimeoutMs },
      });
      try {
        const { figures, acked, readsBehind } = await runUnderLoad(backend, settings, async (control) => {
          const { rows } = await admin.query<{ n: number }>(TERMINATE_SQL);
          result.connectionsTerminated += rows[0]?.n ?? 0;
          control.inPlace();
        });
        add(result, figures);
        result.acknowledged += acked.size;
        result.readsBehind += readsBehind;
        // A hung run's stores may still be stuck: the lost count is only read on a backend that recovered.
        if (!figures.hung) result.lost += await countLost(backend, acked);
      } finally {
        await closeBounded(backend, settings.hangAfterMs);
      }
    }
  } finally {
    await closeBounded(admin, ADMIN_TIMEOUT_MS);
    await server.stop();
  }
  return result;
}

/** One termination's figures added to the totals: recovery is the slowest of them. */
function add(total: PostgresTerminateResult, figures: LoadFaultFigures): void {
  total.errors += figures.errors;
  for (const [code, n] of Object.entries(figures.errorCodes))
    total.errorCodes[code] = (total.errorCodes[code] ?? 0) + n;
  if (figures.recoveryMs !== null) total.recoveryMs = Math.max(total.recoveryMs ?? 0, figures.recoveryMs);
  total.hung ||= figures.hung;
  total.slowestFailureMs = Math.max(total.slowestFailureMs, figures.slowestFailureMs);
  total.operations += figures.operations;
}

async function closeBounded(closable: { close(): Promise<void> } | pg.Client, ms: number): Promise<void> {
  const closing = 'end' in closable ? closable.end() : closable.close();
  await withTimeout(
    closing.catch(() => {}),
    ms,
    { resolveWith: undefined },
  );
}
