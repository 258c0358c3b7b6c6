// touch resets the TTL of whatever entry is there, expired or not (tj/connect-redis#251: the
// store keeps extending a session whose cookie had already expired).
import type session from 'express-session';
import { sessionStoreModule, ZooSessionStore } from './session-store.js';

class TouchRevivesExpired extends ZooSessionStore {
  protected override refresh(sid: string, sess: session.SessionData): void {
    const entry = this.entries.get(sid); // BUG: an expired entry that lingers is refreshed too
    if (entry === undefined) return;
    this.write(sid, { ...(JSON.parse(entry.json) as session.SessionData), cookie: sess.cookie });
  }
}

export default sessionStoreModule(
  'touch-revives-expired',
  'touch extends an expired entry that has not been pruned yet: the session is alive again',
  TouchRevivesExpired,
);
