// Starts private redis-server processes on free loopback ports (no disk): the embedded
// default of the redis backend, and the nodes of a local cluster. Whatever happens, they die
// with this process (child-server.ts).
import { Redis } from 'ioredis';
import { onFreePort, spawnServer, stopChild, waitReady } from './child-server.js';

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

async function startOnce(port: number, options: RedisServerOptions): Promise<RedisServer | 'port taken'> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  if (options.dir !== undefined) args.push('--dir', options.dir);
  if (options.password !== undefined) args.push('--requirepass', options.password);
  args.push(...(options.args ?? []));
  const server = await spawnServer('redis-server', args);
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  const url = `redis://${auth}127.0.0.1:${port}`;
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const ready = await waitReady(server, `redis-server on port ${port}`, () => pingRedis(url, 500), timeoutMs);
  if (ready === 'port taken') return ready;
  const { child } = server;
  return { host: '127.0.0.1', port, url, pid: child.pid!, stop: () => stopChild(child) };
}

/** A private redis-server (no disk) on a free loopback port, answering PING. */
export function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  return onFreePort('redis-server', (port) => startOnce(port, options));
}
