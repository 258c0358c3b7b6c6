// Expiry judged by a clock a second ahead of the app's (a database server's clock, or a TTL
// rounded the wrong way): sessions end before their TTL.
import { sessionStoreModule, ZooSessionStore } from './session-store.js';

class ExpiresEarly extends ZooSessionStore {
  protected override now(): number {
    return Date.now() + 1000; // BUG: the store's clock runs a second ahead
  }
}

export default sessionStoreModule('expires-early', 'expiry judged on a clock one second ahead', ExpiresEarly);
