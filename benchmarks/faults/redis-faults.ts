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
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await once(child, 'spawn');
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exit = once(child, 'exit');
  child.kill('SIGKILL');
  await exit;
}

export async function runRedisFault(options: RedisFaultOptions): Promise<RedisFaultResult> {
  const commandTimeoutMs = options.commandTimeoutMs ?? 500;
  const hangAfterMs = options.hangAfterMs ?? 10 * commandTimeoutMs;
  const phaseTimeoutMs = options.phaseTimeoutMs ?? 30_000;
  const server = await startRedisServer();
  let restarted: ChildProcess | undefined;
  let backend: SessionBackend | undefined;
  const admin = new Redis(server.url, { lazyConnect: true, connectTimeout: 2000, commandTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  admin.on('error', () => {});
  const result: RedisFaultResult = { fault: options.fault, errors: 0, errorCodes: {}, recoveryMs: null, hung: false, slowestFailureMs: 0, commandTimeoutMs, operations: 0 };
  try {
    backend = await (options.module ?? redis).open({
      dir: os.tmpdir(),
      namespace: `faults:${process.pid}`,
      options: { url: server.url, commandTimeoutMs, connectTimeoutMs: commandTimeoutMs },
    });
    let faultAt: number | undefined;
    /** When the fault was in place (connections killed, server dead): recovery counts from operations started after it. */
    let faultInPlace = Number.POSITIVE_INFINITY;
    let successes = 0;
    let stop = false;
    const before = waitFor(`${options.opsBefore ?? 50} successful operations before the fault`, phaseTimeoutMs);
    /** Made at the fault, so a server stays down for the whole hang bound when no operation fails. */
    let firstError: ReturnType<typeof waitFor> | undefined;
    const recovered = waitFor(`recovery from ${options.fault} and ${options.opsAfter ?? 100} successful operations after it`, phaseTimeoutMs);
    let after = 0;

    const operate = async (worker: number, i: number): Promise<void> => {
      const id = `w${worker}-${i % 50}`;
      const op =
        i % 2 === 0
          ? backend!.store({ id, createdAt: 1, lastAccessedAt: 1, timeoutMs: null, version: 1 + i, metadata: { worker, i } })
          : backend!.fetch(id, 1);
      const started = Date.now();
      const outcome = await withTimeout(op.then(() => 'ok' as const, (err: unknown) => errorCode(err) ?? 'no code'), hangAfterMs, { resolveWith: 'hung' as const });
      result.operations++;
      if (outcome === 'hung') {
        result.hung = true;
        recovered.fail(new Error(`an operation hung for ${hangAfterMs} ms after ${options.fault}`));
        return;
      }
      if (outcome === 'ok') {
        successes++;
        if (successes === (options.opsBefore ?? 50)) before.done();
        if (faultAt !== undefined && started >= faultInPlace) {
          result.recoveryMs ??= Date.now() - faultAt;
          if (++after === (options.opsAfter ?? 100)) recovered.done();
        }
        return;
      }
      if (faultAt === undefined) throw new Error(`operation failed with ${outcome} before any fault`);
      result.errors++;
      result.errorCodes[outcome] = (result.errorCodes[outcome] ?? 0) + 1;
      result.slowestFailureMs = Math.max(result.slowestFailureMs, Date.now() - started);
      firstError?.done();
    };
    const workers = Array.from({ length: options.workers ?? 4 }, async (_, worker) => {
      for (let i = 0; !stop; i++) await operate(worker, i);
    });
    const load = Promise.all(workers);
    load.catch((err: Error) => recovered.fail(err));

    try {
      await before.promise;
      await admin.connect();
      firstError = waitFor('an operation to fail after the fault', hangAfterMs);
      faultAt = Date.now();
      if (options.fault === 'client-kill') {
        result.clientsKilled = Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal'));
        faultInPlace = Date.now();
      } else {
        const port = server.port;
        await server.stop();
        faultInPlace = Date.now();
        // Down until an operation has seen it (or the hang bound passed without one failing).
        await firstError.promise.catch(() => {});
        restarted = await restartOnPort(port);
      }
      // A hang is the result (the gate fails on it), not an error that would skip the scenario.
      await recovered.promise.catch((err: unknown) => {
        if (!result.hung) throw err;
      });
    } finally {
      stop = true;
      await load.catch(() => {});
    }
    return result;
  } finally {
    admin.disconnect();
    await backend?.close();
    if (restarted !== undefined) await stopProcess(restarted);
    await server.stop();
  }
}
