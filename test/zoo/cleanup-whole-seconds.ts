// Cleanup compares expiry in whole seconds (an `expires` column in Unix seconds): it removes
// sessions that are still live for the rest of the current second.
import type { Session } from '../../backends/contract.js';
import { expiresAt } from '../../backends/expiry.js';
import { ZooBackend, zooModule } from './base.js';

class WholeSeconds extends ZooBackend {
  protected override expiredForCleanup(session: Session, now: number): boolean {
    const expiry = expiresAt(session);
    return expiry !== null && Math.floor(expiry / 1000) <= Math.floor(now / 1000); // BUG: second granularity.
  }
}

export default zooModule({
  name: 'cleanup-whole-seconds',
  description: 'cleanupExpired rounds to whole seconds and removes sessions that expire later in the same second',
  backend: WholeSeconds,
});
