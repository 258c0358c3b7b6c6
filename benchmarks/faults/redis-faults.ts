// Redis connection faults under load: every client connection killed (CLIENT KILL TYPE normal),
// or the server restarted on its port. Operations must fail with UNAVAILABLE within a bound
// (never hang), the client must reconnect by itself, and the load must go on. Always on a private
// redis-server (backends/servers/redis-server.ts), never a shared one: CLIENT KILL would hit other clients.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { Redis } from 'ioredis';
import type { BackendModule, SessionBackend } from '../../backends/contract.js';
import { errorCode } from '../../backends/errors.js';
import redis from '../../backends/redis.js';
import { withTimeout } from '../../backends/timeout.js';
import { startRedisServer } from '../../backends/servers/redis-server.js';
import { waitFor } from './child.js';

export type RedisFault = 'client-kill' | 'server-restart';
export const REDIS_FAULTS: readonly RedisFault[] = ['client-kill', 'server-restart'];

export interface RedisFaultOptions {
  fault: RedisFault;
  /** A Redis-backed module opened with { url, commandTimeoutMs, connectTimeoutMs }; default the reference redis. */
  module?: BackendModule;
  /** The backend's commandTimeoutMs and connectTimeoutMs: what bounds a failing operation. */
  commandTimeoutMs?: number;
  /** An operation taking longer than this counts as hung (and is abandoned). */
  hangAfterMs?: number;
  /** Operations in flight at once. */
  workers?: number;
  /** Successful operations before the fault, and after recovery before the run ends. */
  opsBefore?: number;
  opsAfter?: number;
  /** Bound on reaching each of those counts. */
  phaseTimeoutMs?: number;
}

export interface RedisFaultResult {
  fault: RedisFault;
  /** Operations that failed after the fault. */
  errors: number;
  errorCodes: Record<string, number>;
  /** ms from the fault to the first success of an operation started once the fault was in place; null if none. */
  recoveryMs: number | null;
  /** Some operation took longer than hangAfterMs. */
  hung: boolean;
  /** The slowest failed operation (ms): what the bound held. */
  slowestFailureMs: number;
  commandTimeoutMs: number;
  operations: number;
  /** client-kill: the connections CLIENT KILL closed. */
  clientsKilled?: number;
}

/** A redis-server on the port the stopped one had, so the client's reconnects find it. */
async function restartOnPort(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await once(child, 'spawn');
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exit = once(child, 'exit');
  child.kill('SIGKILL');
  await exit;
}

/** The options with their defaults. */
interface Settings {
  fault: RedisFault;
  commandTimeoutMs: number;
  hangAfterMs: number;
  phaseTimeoutMs: number;
  workers: number;
  opsBefore: number;
  opsAfter: number;
}

type Wait = ReturnType<typeof waitFor>;

/** What the load and the fault steps share. */
interface Run {
  settings: Settings;
  result: RedisFaultResult;
  /** When the fault was injected; until then a failed operation is a bug, not the fault. */
  faultAt: number | undefined;
  /** When the fault was in place (connections killed, server dead): recovery counts from operations started after it. */
  faultInPlace: number;
  successes: number;
  /** Successes of operations started once the fault was in place. */
  successesAfter: number;
  stop: boolean;
  before: Wait;
  recovered: Wait;
  /** Made at the fault, so a server stays down for the whole hang bound when no operation fails. */
  firstError: Wait | undefined;
}

export async function runRedisFault(options: RedisFaultOptions): Promise<RedisFaultResult> {
  const settings = settingsOf(options);
  const server = await startRedisServer();
  let restarted: ChildProcess | undefined;
  let backend: SessionBackend | undefined;
  const admin = new Redis(server.url, {
    lazyConnect: true,
    connectTimeout: 2000,
    commandTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  admin.on('error', () => {});
  try {
    backend = await (options.module ?? redis).open({
      dir: os.tmpdir(),
      namespace: `faults:${process.pid}`,
      options: {
        url: server.url,
        commandTimeoutMs: settings.commandTimeoutMs,
        connectTimeoutMs: settings.commandTimeoutMs,
      },
    });
    const run = newRun(settings);
    const load = startLoad(run, backend);
    try {
      await run.before.promise;
      restarted = await injectFault(run, server, admin);
      await awaitRecovery(run);
    } finally {
      run.stop = true;
      await load.catch(() => {});
    }
    return run.result;
  } finally {
    admin.disconnect();
    await backend?.close();
    if (restarted !== undefined) await stopProcess(restarted);
    await server.stop();
  }
}

function settingsOf(options: RedisFaultOptions): Settings {
  const commandTimeoutMs = options.commandTimeoutMs ?? 500;
  return {
    fault: options.fault,
    commandTimeoutMs,
    hangAfterMs: options.hangAfterMs ?? 10 * commandTimeoutMs,
    phaseTimeoutMs: options.phaseTimeoutMs ?? 30_000,
    workers: options.workers ?? 4,
    opsBefore: options.opsBefore ?? 50,
    opsAfter: options.opsAfter ?? 100,
  };
}

/** A run before any operation; its two phase waits start timing now. */
function newRun(settings: Settings): Run {
  return {
    settings,
    result: {
      fault: settings.fault,
      errors: 0,
      errorCodes: {},
      recoveryMs: null,
      hung: false,
      slowestFailureMs: 0,
      commandTimeoutMs: settings.commandTimeoutMs,
      operations: 0,
    },
    faultAt: undefined,
    faultInPlace: Number.POSITIVE_INFINITY,
    successes: 0,
    successesAfter: 0,
    stop: false,
    before: waitFor(`${settings.opsBefore} successful operations before the fault`, settings.phaseTimeoutMs),
    recovered: waitFor(
      `recovery from ${settings.fault} and ${settings.opsAfter} successful operations after it`,
      settings.phaseTimeoutMs,
    ),
    firstError: undefined,
  };
}

/** Starts the workers, each one operation at a time until run.stop; a worker's error ends the wait for recovery. */
function startLoad(run: Run, backend: SessionBackend): Promise<void[]> {
  const workers = Array.from({ length: run.settings.workers }, async (_, worker) => {
    for (let i = 0; !run.stop; i++) await operate(run, backend, worker, i);
  });
  const load = Promise.all(workers);
  load.catch((err: Error) => run.recovered.fail(err));
  return load;
}

/** One operation of the load (stores and fetches alternate over 50 ids per worker), timed and recorded. */
async function operate(run: Run, backend: SessionBackend, worker: number, i: number): Promise<void> {
  const id = `w${worker}-${i % 50}`;
  const op =
    i % 2 === 0
      ? backend.store({ id, createdAt: 1, lastAccessedAt: 1, timeoutMs: null, version: 1 + i, metadata: { worker, i } })
      : backend.fetch(id, 1);
  const started = Date.now();
  // An operation that takes longer than hangAfterMs is abandoned and counted as a hang.
  const outcome = await withTimeout(
    op.then(
      () => 'ok' as const,
      (err: unknown) => errorCode(err) ?? 'no code',
    ),
    run.settings.hangAfterMs,
    { resolveWith: 'hung' as const },
  );
  run.result.operations++;
  if (outcome === 'hung') {
    run.result.hung = true;
    run.recovered.fail(new Error(`an operation hung for ${run.settings.hangAfterMs} ms after ${run.settings.fault}`));
  } else if (outcome === 'ok') recordSuccess(run, started);
  else recordFailure(run, outcome, started);
}

/** Settles the wait for opsBefore successes, and after the fault the wait for recovery. */
function recordSuccess(run: Run, started: number): void {
  const { settings } = run;
  if (++run.successes === settings.opsBefore) run.before.done();
  if (run.faultAt !== undefined && started >= run.faultInPlace) {
    run.result.recoveryMs ??= Date.now() - run.faultAt;
    if (++run.successesAfter === settings.opsAfter) run.recovered.done();
  }
}

/** Before the fault a failure is a broken backend or setup: it ends the run; after it, it is counted. */
function recordFailure(run: Run, code: string, started: number): void {
  if (run.faultAt === undefined) throw new Error(`operation failed with ${code} before any fault`);
  const { result } = run;
  result.errors++;
  result.errorCodes[code] = (result.errorCodes[code] ?? 0) + 1;
  result.slowestFailureMs = Math.max(result.slowestFailureMs, Date.now() - started);
  run.firstError?.done();
}

/** Kills every client connection, or stops the server and starts another on its port (returned, for cleanup). */
async function injectFault(
  run: Run,
  server: { port: number; stop(): Promise<void> },
  admin: Redis,
): Promise<ChildProcess | undefined> {
  await admin.connect();
  run.firstError = waitFor('an operation to fail after the fault', run.settings.hangAfterMs);
  run.faultAt = Date.now();
  if (run.settings.fault === 'client-kill') {
    run.result.clientsKilled = Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal'));
    run.faultInPlace = Date.now();
    return undefined;
  }
  const port = server.port;
  await server.stop();
  run.faultInPlace = Date.now();
  // Down until an operation has seen it (or the hang bound passed without one failing).
  await run.firstError.promise.catch(() => {});
  return restartOnPort(port);
}

/** Waits for opsAfter successes after the fault. A hang is the result (the gate fails on it), not an error that would skip the scenario. */
async function awaitRecovery(run: Run): Promise<void> {
  await run.recovered.promise.catch((err: unknown) => {
    if (!run.result.hung) throw err;
  });
}
