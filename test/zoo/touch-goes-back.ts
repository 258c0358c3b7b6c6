// touch() writes the lastAccessedAt it is given, even an older one: a request carrying a stale
// clock (or a slow request finishing last) moves the access back and the session expires early.
import type { Session } from '../../backends/contract.js';
import { ZooBackend, zooModule } from './base.js';

class TouchGoesBack extends ZooBackend {
  protected override touched(stored: Session, lastAccessedAt: number): Session {
    return { ...stored, lastAccessedAt, version: stored.version + 1 }; // BUG: not max(stored, lastAccessedAt).
  }
}

export default zooModule({
  name: 'touch-goes-back',
  description: 'touch() sets lastAccessedAt to its argument even when older than the stored one',
  backend: TouchGoesBack,
});
