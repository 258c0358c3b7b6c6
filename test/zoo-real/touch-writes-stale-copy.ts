// touch is a set of the whole session the request holds (balor/connect-memcached#33, and
// connect-redis's SETEX touch before tj/connect-redis#285): a concurrent save is overwritten.
import type session from 'express-session';
import { sessionStoreModule, ZooSessionStore } from './session-store.js';

class TouchWritesStaleCopy extends ZooSessionStore {
  protected override refresh(sid: string, sess: session.SessionData): void {
    if (this.live(sid) !== undefined) this.write(sid, sess); // BUG: writes the request's copy, not just the cookie
  }
}

export default sessionStoreModule(
  'touch-writes-stale-copy',
  "touch stores the request's whole copy of the session, overwriting a concurrent save",
  TouchWritesStaleCopy,
);
