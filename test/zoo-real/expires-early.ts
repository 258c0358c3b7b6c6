// The cookie's maxAge, in milliseconds, added to the clock as if it were seconds (a unit mix-up
// between express-session's maxAge and a store's TTL in seconds): a session is gone at once.
import type session from 'express-session';
import { sessionStoreModule, ZooSessionStore } from './session-store.js';

class ExpiresEarly extends ZooSessionStore {
  protected override expiryOf(sess: session.SessionData): number | undefined {
    const maxAge = sess.cookie?.originalMaxAge;
    return typeof maxAge === 'number' ? this.now() + Math.floor(maxAge / 1000) : undefined; // BUG: seconds, not ms
  }
}

export default sessionStoreModule('expires-early', 'the TTL in seconds added to a millisecond clock', ExpiresEarly);
