// Redis connection faults under load (fault-load.ts): every client connection killed (CLIENT KILL
// TYPE normal), or the server restarted on its port. Operations must fail with UNAVAILABLE within
// a bound (never hang), the client must reconnect by itself, and the load must go on. Always on a private
// redis-server (backends/servers/redis-server.ts), never a shared one: CLIENT KILL would hit other clients.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { Redis } from 'ioredis';
import type { BackendModule, SessionBackend } from '../../backends/contract.js';
import redis from '../../backends/redis.js';
import { startRedisServer } from '../../backends/servers/redis-server.js';
import { loadFaultSettings, runUnderLoad, type LoadFaultFigures, type LoadFaultOptions } from './fault-load.js';

export type RedisFault = 'client-kill' | 'server-restart';
export const REDIS_FAULTS: readonly RedisFault[] = ['client-kill', 'server-restart'];

export interface RedisFaultOptions extends LoadFaultOptions {
  fault: RedisFault;
  /** A Redis-backed module opened with { url, commandTimeoutMs, connectTimeoutMs }; default the reference redis. */
  module?: BackendModule;
}

export interface RedisFaultResult extends LoadFaultFigures {
  fault: RedisFault;
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

export async function runRedisFault(options: RedisFaultOptions): Promise<RedisFaultResult> {
  const settings = loadFaultSettings(options.fault, options);
  const { commandTimeoutMs } = settings;
  const server = await startRedisServer();
  let restarted: ChildProcess | undefined;
  let backend: SessionBackend | undefined;
  let clientsKilled: number | undefined;
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
      options: { url: server.url, commandTimeoutMs, connectTimeoutMs: commandTimeoutMs },
    });
    await admin.connect();
    const { figures } = await runUnderLoad(backend, settings, async (control) => {
      if (options.fault === 'client-kill') {
        clientsKilled = Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal'));
        control.inPlace();
        return;
      }
      const port = server.port;
      await server.stop();
      control.inPlace();
      // Down until an operation has seen it (or the hang bound passed without one failing).
      await control.firstFailure;
      restarted = await restartOnPort(port);
    });
    return { fault: options.fault, ...figures, ...(clientsKilled === undefined ? {} : { clientsKilled }) };
  } finally {
    admin.disconnect();
    await backend?.close();
    if (restarted !== undefined) await stopProcess(restarted);
    await server.stop();
  }
}
