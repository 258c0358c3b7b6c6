// `lastAccessedAt + timeoutMs <= now` with timeoutMs null: JavaScript adds null as 0, so cleanup
// removes the sessions that must never expire.
import type { Session } from '../../backends/contract.js';
import { ZooBackend, zooModule } from './base.js';

class NullIsZero extends ZooBackend {
  protected override expiredForCleanup(session: Session, now: number): boolean {
    return session.lastAccessedAt + (session.timeoutMs as number) <= now; // BUG: null + n === n.
  }
}

export default zooModule({
  name: 'cleanup-null-timeout',
  description: 'cleanupExpired treats timeoutMs null as 0 and removes sessions that never expire',
  backend: NullIsZero,
});
