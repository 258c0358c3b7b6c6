// The adapter also expires natively, converting Keyv's milliseconds to seconds for its store
// but handing those seconds to a timer that counts milliseconds: a value is gone at once.
import { keyvStoreModule, ZooKeyvAdapter } from './keyv-store.js';

class ExpiresEarly extends ZooKeyvAdapter {
  protected override expireNatively(key: string, ttl: number | undefined): void {
    if (ttl === undefined) return;
    const seconds = Math.ceil(ttl / 1000);
    setTimeout(() => this.map.delete(key), seconds).unref(); // BUG: setTimeout takes milliseconds
  }
}

export default keyvStoreModule(
  'keyv-expires-early',
  "the adapter's own expiry timer gets the TTL in seconds where it counts milliseconds",
  ExpiresEarly,
);
