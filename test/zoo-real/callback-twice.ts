// set calls back when it wrote, and again when its (simulated) flush ends.
import type session from 'express-session';
import { sessionStoreModule, ZooSessionStore } from './session-store.js';

class CallbackTwice extends ZooSessionStore {
  override set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    super.set(sid, sess, callback);
    this.answer(callback); // BUG: a second call of the same callback
  }
}

export default sessionStoreModule('callback-twice', 'set calls its callback twice', CallbackTwice);
