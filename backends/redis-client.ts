// Connecting to Redis with every wait bounded, and turning driver errors into SessionErrors.
import { Redis } from 'ioredis';
import { isSessionError, SessionError } from './errors.js';
import { intOption } from './options.js';

export const DEFAULT_COMMAND_TIMEOUT_MS = 2000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;

export interface RedisConnection {
  url: string;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}

/** The URL from options.url, else REDIS_URL; timeouts from commandTimeoutMs / connectTimeoutMs. */
export function redisConnectionOptions(options: Record<string, unknown> | undefined): RedisConnection {
  const url = options?.url ?? process.env.REDIS_URL;
  if (url === undefined || url === '') {
    throw new SessionError(
      'UNAVAILABLE',
      'no Redis to connect to: pass options.url or set REDIS_URL (redis://[:password@]host:port or rediss://...)',
    );
  }
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
    throw new SessionError('INVALID_SESSION', 'option url must be a redis:// or rediss:// URL');
  }
  return {
    url,
    commandTimeoutMs: intOption(options, 'commandTimeoutMs', DEFAULT_COMMAND_TIMEOUT_MS),
    connectTimeoutMs: intOption(options, 'connectTimeoutMs', DEFAULT_CONNECT_TIMEOUT_MS),
  };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/**
 * A connected client. A command fails after one reconnect attempt or commandTimeoutMs,
 * never hangs; the client keeps reconnecting in the background so a restarted server is
 * picked up again.
 */
export async function connectRedis(connection: RedisConnection): Promise<Redis> {
  const client = new Redis(connection.url, {
    lazyConnect: true,
    enableAutoPipelining: true,
    connectTimeout: connection.connectTimeoutMs,
    commandTimeout: connection.commandTimeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  // Later connection errors surface as rejected commands; without a listener ioredis would log
  // each one. The first one says why connect() failed (its rejection only says "closed").
  let cause: Error | undefined;
  client.on('error', (err: Error) => (cause ??= err));
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    const why = (cause ?? (err as Error)).message;
    throw new SessionError('UNAVAILABLE', `cannot connect to ${redactUrl(connection.url)}: ${why}`, { cause: err });
  }
  return client;
}

/**
 * A data-type clash means the key holds something this backend never wrote: CORRUPT.
 * Every other failure (refused, timed out, OOM, LOADING, CLUSTERDOWN, ...) is UNAVAILABLE.
 */
export function toSessionError(err: unknown): SessionError {
  if (isSessionError(err)) return err as SessionError;
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith('WRONGTYPE')) {
    return new SessionError('CORRUPT', `stored data has the wrong Redis type: ${message}`, { cause: err });
  }
  return new SessionError('UNAVAILABLE', `redis: ${message}`, { cause: err });
}

/** A driver call whose failure is translated (a plain catch: no extra async frame on the hot path). */
export function redisCall<T>(call: Promise<T>): Promise<T> {
  return call.catch((err: unknown) => {
    throw toSessionError(err);
  });
}
