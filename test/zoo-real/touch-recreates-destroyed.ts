// touch upserts: a session that a concurrent logout destroyed is written back by the touch of a
// request that was still running (jdesboeufs/connect-mongo#471, expressjs/session#632).
import type session from 'express-session';
import { sessionStoreModule, ZooSessionStore } from './session-store.js';

class TouchRecreatesDestroyed extends ZooSessionStore {
  protected override refresh(sid: string, sess: session.SessionData): void {
    if (!this.entries.has(sid))
      this.write(sid, sess); // BUG: a missing session is created
    else super.refresh(sid, sess);
  }
}

export default sessionStoreModule(
  'touch-recreates-destroyed',
  "touch of a missing session stores the request's copy: a destroyed session comes back",
  TouchRecreatesDestroyed,
);
