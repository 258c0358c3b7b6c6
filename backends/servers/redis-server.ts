// Starts private redis-server processes on free loopback ports (no disk): the embedded
// default of the redis backend, and the nodes of a local cluster. Whatever happens, they die
// with this process: stop() kills and awaits each, and an exit / signal hook kills leftovers.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { withTimeout } from '../timeout.js';
import { onProcessEnd } from './exit-hooks.js';

export interface RedisServer {
  host: string;
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
  /** Bind (and reach) the server on this address instead of 127.0.0.1, e.g. inside a network namespace. */
  host?: string;
  /** Listen on this port instead of a free loopback one (its own address has no other server). */
  port?: number;
  /** Run redis-server through this command, e.g. ['ip', 'netns', 'exec', 'ns1']: it must exec its arguments. */
  commandPrefix?: string[];
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

/** Kills `child` if this process ends first. */
function track(child: ChildProcess): void {
  const untrack = onProcessEnd(() => child.kill('SIGKILL'));
  child.once('exit', untrack);
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
  const host = options.host ?? '127.0.0.1';
  const args = ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no'];
  // Protected mode refuses clients from other addresses; a non-loopback host is a private network's.
  if (host !== '127.0.0.1') args.push('--protected-mode', 'no');
  if (options.dir !== undefined) args.push('--dir', options.dir);
  if (options.password !== undefined) args.push('--requirepass', options.password);
  args.push(...(options.args ?? []));
  const [command = 'redis-server', ...prefixArgs] = options.commandPrefix ?? [];
  const commandArgs = options.commandPrefix === undefined ? args : [...prefixArgs, 'redis-server', ...args];
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const output = captureOutput(child);
  const outputComplete = once(child, 'close'); // after 'exit', once the pipes are drained
  const spawned = await Promise.race([once(child, 'spawn').then(() => undefined), spawnError]);
  if (spawned !== undefined) {
    const missing = (spawned as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing ? `${command} is not installed (not found on PATH)` : `cannot start redis-server: ${spawned.message}`,
    );
  }
  track(child);
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  const url = `redis://${auth}${host}:${port}`;
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
      const server: RedisServer = { host, port, url, pid: child.pid!, stop: () => stopChild(child) };
      return { server };
    }
    await sleep(50);
  }
  await stopChild(child);
  throw new Error(
    `redis-server on port ${port} did not answer PING within the start timeout (${reason}):\n${output()}`,
  );
}

/** A private redis-server (no disk) on a free loopback port (or the one given), answering PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  if (options.port !== undefined) {
    const result = await startOnce(options.port, options);
    if ('server' in result) return result.server;
    throw new Error(`redis-server found port ${options.host ?? '127.0.0.1'}:${options.port} taken`);
  }
  for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
    const result = await startOnce(await freePort(), options);
    if ('server' in result) return result.server;
  }
  throw new Error(`redis-server found its port taken ${PORT_ATTEMPTS} times in a row`);
}
