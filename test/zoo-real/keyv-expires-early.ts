// The adapter also expires natively, in whole seconds rounded down (a TTL handed to a store that
// counts seconds, as Redis EX and memcached do): a 1.5 s session is gone after 1 s.
import { keyvStoreModule, ZooKeyvAdapter } from './keyv-store.js';

class ExpiresEarly extends ZooKeyvAdapter {
  protected override expireNatively(key: string, ttl: number | undefined): void {
    if (ttl === undefined) return;
    // BUG: Math.floor of the seconds, where Math.ceil would only ever be late
    setTimeout(() => this.map.delete(key), Math.floor(ttl / 1000) * 1000).unref();
  }
}

export default keyvStoreModule(
  'keyv-expires-early',
  'the adapter expires keys at their TTL rounded down to whole seconds',
  ExpiresEarly,
);
