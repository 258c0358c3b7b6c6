// get of a missing id never calls back (a lookup whose "not found" path forgets the callback).
import { sessionStoreModule, ZooSessionStore } from './session-store.js';

class MissingHangs extends ZooSessionStore {
  protected override answerMissing(): void {} // BUG: the callback is never called
}

export default sessionStoreModule('missing-hangs', 'get of a missing id never calls back', MissingHangs);
