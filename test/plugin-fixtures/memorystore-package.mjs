// A real-store module for the memorystore package (roccomuso/memorystore), configured as its
// README shows: prune expired entries once a day; close stops that interval.
import session from 'express-session';
import createMemoryStore from 'memorystore';

const MemoryStore = createMemoryStore(session);

export default {
  name: 'fixture-memorystore',
  kind: 'express-session',
  description: 'memorystore 1.6 (an lru-cache with per-entry maxAge), checkPeriod one day',
  capabilities: { persistent: false, shared: false },
  async open() {
    return new MemoryStore({ checkPeriod: 86_400_000 });
  },
  async close(store) {
    store.stopInterval();
  },
};
