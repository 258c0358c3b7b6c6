// touch() checks expiry with `now > expiresAt` where the contract says `now >= expiresAt`: at the
// exact expiry instant the session is gone for fetch but revived by touch.
import type { Session } from '../../backends/contract.js';
import { expiresAt } from '../../backends/expiry.js';
import { ZooBackend, zooModule } from './base.js';

class TouchAtExpiryInstant extends ZooBackend {
  protected override touchable(stored: Session | undefined, now: number): stored is Session {
    if (stored === undefined) return false;
    const expiry = expiresAt(stored);
    return expiry === null || now <= expiry; // BUG: <= instead of <.
  }
}

export default zooModule({
  name: 'touch-at-expiry-instant',
  description: 'touch() treats now == lastAccessedAt + timeoutMs as live and extends the session',
  backend: TouchAtExpiryInstant,
});
