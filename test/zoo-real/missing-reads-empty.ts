// get of a missing id answers {} instead of nothing: express-session then takes it for a stored
// session and fails on its missing cookie.
import { sessionStoreModule, ZooSessionStore } from './session-store.js';

type Callback = (err?: unknown, value?: unknown) => void;

class MissingReadsEmpty extends ZooSessionStore {
  protected override answerMissing(callback: Callback): void {
    this.answer(callback, null, {}); // BUG: an empty session, not null
  }
}

export default sessionStoreModule('missing-reads-empty', 'get of a missing id answers {}', MissingReadsEmpty);
