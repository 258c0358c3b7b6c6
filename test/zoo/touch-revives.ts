// touch() slides the expiry of whatever it finds, expired or not: an expired session comes back
// to life on the next request (tj/connect-redis#251: touch resets the TTL after expiry).
import type { Session } from '../../backends/contract.js';
import { ZooBackend, zooModule } from './base.js';

class TouchRevives extends ZooBackend {
  protected override touchable(stored: Session | undefined): stored is Session {
    return stored !== undefined; // BUG: no expiry check.
  }
}

export default zooModule({
  name: 'touch-revives',
  description: 'touch() sets lastAccessedAt on an expired session too, reviving it',
  backend: TouchRevives,
});
