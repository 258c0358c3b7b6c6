// Finds a Redis for a run: REDIS_URL, else the local 127.0.0.1:6379, else the embedded default
// (a private redis-server, or, opted in and where a Docker engine answers, a testcontainers
// Redis). When none can be had the caller reports redis as skipped, with the reason.
import { redactUrl } from '../redis-client.js';
import { withTimeout } from '../timeout.js';
import { pingRedis, startRedisServer } from './redis-server.js';
import { importPeers } from '../peer-packages.js';

export type RedisSource = 'env' | 'local' | 'embedded' | 'testcontainers';

export interface ProvidedRedis {
  url: string;
  source: RedisSource;
  /** Why a preferred source was passed over (e.g. testcontainers opted in, no Docker engine). */
  note?: string;
  /** The embedded redis-server's process id. */
  pid?: number;
  stop(): Promise<void>;
}

export interface ProvideRedisOptions {
  /** Ignore REDIS_URL and 127.0.0.1:6379: start the embedded default. */
  forceEmbedded?: boolean;
  /** Allow a testcontainers Redis; also enabled by SESSIONBENCH_TESTCONTAINERS=1. */
  testcontainers?: boolean;
}

export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';
const ENV_PING_TIMEOUT_MS = 2000;
const LOCAL_PING_TIMEOUT_MS = 300;
const DOCKER_DETECT_TIMEOUT_MS = 5000;
/** Untested here (no Docker engine on the development machine). */
export const REDIS_CONTAINER_IMAGE = 'redis:7.4-alpine';

const nothingToStop = async (): Promise<void> => {};

/**
 * testcontainers and @testcontainers/redis are optional peer dependencies (127 packages, two of
 * them native builds), so only a run that opts in loads them, and one that opts in without them
 * is told how to install them (the versions package.json's peerDependencies pin).
 */
async function requireTestcontainers(): Promise<void> {
  await importPeers('SESSIONBENCH_TESTCONTAINERS=1', ['testcontainers', '@testcontainers/redis'], () =>
    Promise.all([import('testcontainers'), import('@testcontainers/redis')]),
  );
}

/** undefined when a Docker engine answers testcontainers' own runtime detection, else why not. */
export async function detectDockerEngine(): Promise<string | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await withTimeout(
      getContainerRuntimeClient(),
      DOCKER_DETECT_TIMEOUT_MS,
      `no answer within ${DOCKER_DETECT_TIMEOUT_MS} ms`,
    );
    return undefined;
  } catch (err) {
    return `no Docker engine: ${(err as Error).message}`;
  }
}

async function startContainer(): Promise<ProvidedRedis> {
  const { RedisContainer } = await import('@testcontainers/redis');
  const container = await new RedisContainer(REDIS_CONTAINER_IMAGE).start();
  return {
    url: container.getConnectionUrl(),
    source: 'testcontainers',
    stop: async () => {
      await container.stop();
    },
  };
}

async function startEmbedded(note?: string): Promise<ProvidedRedis | { skipped: string }> {
  try {
    const server = await startRedisServer();
    return { url: server.url, source: 'embedded', pid: server.pid, note, stop: server.stop };
  } catch (err) {
    const why = `no Redis: nothing answers on ${LOCAL_REDIS_URL} and the embedded default failed: ${(err as Error).message}`;
    return { skipped: note === undefined ? why : `${why}; ${note}` };
  }
}

export async function provideRedis(options: ProvideRedisOptions = {}): Promise<ProvidedRedis | { skipped: string }> {
  if (!options.forceEmbedded) {
    const envUrl = process.env.REDIS_URL;
    if (envUrl !== undefined && envUrl !== '') {
      const reason = await pingRedis(envUrl, ENV_PING_TIMEOUT_MS);
      if (reason !== undefined) return { skipped: `REDIS_URL ${redactUrl(envUrl)} does not answer PING: ${reason}` };
      return { url: envUrl, source: 'env', stop: nothingToStop };
    }
    if ((await pingRedis(LOCAL_REDIS_URL, LOCAL_PING_TIMEOUT_MS)) === undefined) {
      return { url: LOCAL_REDIS_URL, source: 'local', stop: nothingToStop };
    }
  }
  const containers = options.testcontainers ?? process.env.SESSIONBENCH_TESTCONTAINERS === '1';
  if (!containers) return startEmbedded();
  await requireTestcontainers();
  const noDocker = await detectDockerEngine();
  if (noDocker !== undefined)
    return startEmbedded(`testcontainers opted in but ${noDocker}; using the embedded redis-server`);
  try {
    return await startContainer();
  } catch (err) {
    return startEmbedded(
      `the testcontainers Redis failed to start (${(err as Error).message}); using the embedded redis-server`,
    );
  }
}
