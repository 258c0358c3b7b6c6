// Starts private redis-server processes on free loopback ports (no disk): the embedded
// default of the redis backend, and the nodes of a local cluster. Whatever happens, they die
// with this process: stop() kills and awaits each, and an exit / signal hook kills leftovers.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { withTimeout } from '../timeout.js';

export interface RedisServer {
  host: '127.0.0.1';
  port: number;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** Extra redis-server arguments, e.g. ['--cluster-enabled', 'yes']. */
  args?: string[];
  /** Working directory of the server (--dir): where cluster config files go. */
  dir?: string;
  /** Require this password (--requirepass); the url carries it. */
  password?: string;
  /** How long to wait for the first PONG. */
  startTimeoutMs?: number;
}

const DEFAULT_START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const PORT_ATTEMPTS = 3;

/** A loopback port nothing listens on right now (another process may still take it: callers retry). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** undefined when the server at `url` answers PING within timeoutMs, else why not. */
export async function pingRedis(url: string, timeoutMs: number): Promise<string | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The error event says why (ECONNREFUSED, ...); the rejection only says the connection closed.
  let cause: Error | undefined;
  client.on('error', (err: Error) => (cause = err));
  try {
    await client.connect();
    const reply = await client.ping();
    return reply === 'PONG' ? undefined : `PING answered ${JSON.stringify(reply)}`;
  } catch (err) {
    return (cause ?? (err as Error)).message;
  } finally {
    client.disconnect();
  }
}

// Servers still running, killed with this process if nobody stopped them.
const running = new Set<ChildProcess>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function killRunning(): void {
  for (const child of running) child.kill('SIGKILL');
}

function onSignal(signal: NodeJS.Signals): void {
  killRunning();
  removeHooks();
  // Our listener disabled the default action; restore it unless someone else handles the signal.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function removeHooks(): void {
  process.off('exit', killRunning);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function track(child: ChildProcess): void {
  if (running.size === 0) {
    process.on('exit', killRunning);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  running.add(child);
  child.once('exit', () => {
    if (running.delete(child) && running.size === 0) removeHooks();
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (!exited(child)) {
    const exit = once(child, 'exit');
    child.kill('SIGTERM');
    if ((await withTimeout(exit, STOP_TIMEOUT_MS, { resolveWith: 'still running' as const })) === 'still running') {
      child.kill('SIGKILL');
      await exit;
    }
  }
}

/** The last few KiB of the server's output, for error messages. */
function captureOutput(child: ChildProcess): () => string {
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail.trim();
}

type Attempt = { server: RedisServer } | { portTaken: true };

async function startOnce(port: number, options: RedisServerOptions): Promise<Attempt> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  if (options.dir !== undefined) args.push('--dir', options.dir);
  if (options.password !== undefined) args.push('--requirepass', options.password);
  args.push(...(options.args ?? []));
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const output = captureOutput(child);
  const outputComplete = once(child, 'close'); // after 'exit', once the pipes are drained
  const spawned = await Promise.race([once(child, 'spawn').then(() => undefined), spawnError]);
  if (spawned !== undefined) {
    const missing = (spawned as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing ? 'redis-server is not installed (not found on PATH)' : `cannot start redis-server: ${spawned.message}`,
    );
  }
  track(child);
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  const url = `redis://${auth}127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  let reason: string | undefined = 'not tried';
  while (Date.now() < deadline) {
    if (exited(child)) {
      await outputComplete;
      if (/address already in use/i.test(output())) return { portTaken: true };
      throw new Error(
        `redis-server exited (code ${child.exitCode ?? child.signalCode}) before answering PING:\n${output()}`,
      );
    }
    reason = await pingRedis(url, 500);
    if (reason === undefined) {
      const server: RedisServer = { host: '127.0.0.1', port, url, pid: child.pid!, stop: () => stopChild(child) };
      return { server };
    }
    await sleep(50);
  }
  await stopChild(child);
  throw new Error(
    `redis-server on port ${port} did not answer PING within the start timeout (${reason}):\n${output()}`,
  );
}

/** A private redis-server (no disk) on a free loopback port, answering PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
    const result = await startOnce(await freePort(), options);
    if ('server' in result) return result.server;
  }
  throw new Error(`redis-server found its port taken ${PORT_ATTEMPTS} times in a row`);
}
