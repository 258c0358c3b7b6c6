// The reference Redis backend on a client set up as BullMQ asks (maxRetriesPerRequest: null) and
// with no command timeout: while the server is down, every call waits in ioredis's offline queue
// until it is back, however long that takes, instead of failing with UNAVAILABLE.
import { Redis } from 'ioredis';
import type { BackendModule } from '../../backends/contract.js';
import { RedisBackend, redisBackendOptions } from '../../backends/redis.js';
import { redisConnectionOptions } from '../../backends/redis-client.js';

const redisWaitsForever: BackendModule = {
  name: 'redis-waits-forever',
  description: 'calls wait unbounded for an unreachable Redis (maxRetriesPerRequest: null, no commandTimeout)',
  capabilities: { persistent: true, shared: true },
  async open(context) {
    const { url, commandTimeoutMs } = redisConnectionOptions(context.options);
    const client = new Redis(url, { maxRetriesPerRequest: null }); // BUG: commandTimeoutMs unused, retries without end.
    client.on('error', () => {}); // connection errors only delay the queued calls
    return new RedisBackend(client, context.namespace, redisBackendOptions(context.options, commandTimeoutMs));
  },
};

export default redisWaitsForever;
