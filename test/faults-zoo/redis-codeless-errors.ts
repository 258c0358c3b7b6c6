// The reference Redis backend behind a wrapper that re-throws every failure as its own plain Error
// (to add context, say): the contract's `code` is lost, so an unreachable server is no longer
// UNAVAILABLE and a caller can't tell it from a bug.
import type { BackendModule } from '../../backends/contract.js';
import redis from '../../backends/redis.js';
import { wrapCalls } from '../helpers/wrap-calls.js';

function codeless<A extends unknown[], R>(call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args) =>
    call(...args).catch((err: unknown) => {
      throw new Error(`session store: ${(err as Error).message}`); // BUG: drops err.code.
    });
}

const redisCodelessErrors: BackendModule = {
  name: 'redis-codeless-errors',
  description: 'every failure is re-thrown as a plain Error without its SessionError code',
  capabilities: redis.capabilities,
  async open(context) {
    return wrapCalls(await redis.open(context), codeless);
  },
};

export default redisCodelessErrors;
