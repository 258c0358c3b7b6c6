// The shared contract, run against each backend on its real store (one line per backend).
import { provideRedis } from '../backends/servers/redis-provider.js';
import { backendFile, contractTests, dirTarget } from './helpers/contract-cases.js';

contractTests('memory', () => dirTarget(backendFile('memory')));
contractTests('sqlite', () => dirTarget(backendFile('sqlite')));
contractTests('lmdb', () => dirTarget(backendFile('lmdb')));

// redis runs on the Redis the provider finds (REDIS_URL, 6379, or a private server it stops afterwards).
const redis = await provideRedis();
contractTests(
  'redis',
  async () => {
    if ('skipped' in redis) throw new Error(redis.skipped);
    const target = await dirTarget(backendFile('redis'), { url: redis.url });
    return { ...target, cleanup: () => target.cleanup().then(redis.stop) };
  },
  { skip: 'skipped' in redis ? redis.skipped : undefined },
);
