// A memory store that hands out its own object (express-session's MemoryStore had to learn to
// serialise for this reason): the caller's edits change the store without a store() call.
import type { Session } from '../../backends/contract.js';
import { ZooBackend, zooModule } from './base.js';

class NoCopyOut extends ZooBackend {
  protected override emit(session: Session): Session {
    return session; // BUG: no copy.
  }
}

export default zooModule({
  name: 'fetch-returns-stored',
  description: 'fetch() returns the stored object itself: mutating the result changes what is stored',
  backend: NoCopyOut,
});
