// get serves a session whether or not it expired (voxpelli/node-connect-pg-simple#1: the query
// did not compare the expire column); only the pruning interval, a minute apart, removes it.
import { type Entry, sessionStoreModule, ZooSessionStore } from './session-store.js';

class ServesExpired extends ZooSessionStore {
  protected override served(sid: string): Entry | undefined {
    return this.entries.get(sid); // BUG: no expiry check
  }
}

export default sessionStoreModule('serves-expired', 'get serves expired sessions: they never expire', ServesExpired);
