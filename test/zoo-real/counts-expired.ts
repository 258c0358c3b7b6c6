// all and length count every stored entry, the expired ones that are not pruned yet included.
import { type Entry, sessionStoreModule, ZooSessionStore } from './session-store.js';

class CountsExpired extends ZooSessionStore {
  protected override listed(): Entry[] {
    return [...this.entries.values()]; // BUG: no expiry check
  }
}

export default sessionStoreModule('counts-expired', 'all and length include expired sessions', CountsExpired);
