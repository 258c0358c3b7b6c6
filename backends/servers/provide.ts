// The server a reference backend needs (its registry entry names it), found or started for a
// run: the open options that reach it, how to stop what was started, and a note saying which.
import { redactUrl } from '../redis-client.js';
import type { ServerKind } from '../registry.js';
import { provideRedisCluster } from './redis-cluster.js';
import { providePostgres, redactPostgresUrl } from './postgres-provider.js';
import { provideRedis } from './redis-provider.js';

export type ProvidedServer =
  { openOptions: Record<string, unknown>; stop(): Promise<void>; note: string } | { skipped: string };

/** The variable that, set to 1, makes a backend skipped for want of that server a failure (CI that has one). */
const REQUIRE_ENV: Record<ServerKind, string> = {
  redis: 'SESSIONBENCH_REQUIRE_REDIS',
  'redis-cluster': 'SESSIONBENCH_REQUIRE_REDIS',
  postgres: 'SESSIONBENCH_REQUIRE_POSTGRES',
};

/** Whether a backend that needs `server` must not be skipped: SESSIONBENCH_REQUIRE_REDIS / _POSTGRES=1. */
export function serverRequired(server: ServerKind): boolean {
  return process.env[REQUIRE_ENV[server]] === '1';
}

export async function provideServer(server: ServerKind): Promise<ProvidedServer> {
  if (server === 'redis') {
    const redis = await provideRedis();
    if ('skipped' in redis) return redis;
    return {
      openOptions: { url: redis.url },
      stop: redis.stop,
      note: `using ${redactUrl(redis.url)} (${redis.source}${redis.note === undefined ? '' : `; ${redis.note}`})`,
    };
  }
  if (server === 'postgres') {
    const pg = await providePostgres();
    if ('skipped' in pg) return pg;
    return { openOptions: { url: pg.url }, stop: pg.stop, note: `using ${redactPostgresUrl(pg.url)} (${pg.source})` };
  }
  const c = await provideRedisCluster();
  if ('skipped' in c) return c;
  return { openOptions: { nodes: c.nodes }, stop: c.stop, note: `using ${c.nodes.length} seed nodes (${c.source})` };
}
