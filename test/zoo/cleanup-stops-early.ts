// Cleanup walks sessions in lastAccessedAt order (an index on it) and stops at the first live one:
// right only when every session has the same timeout, so expired ones behind a long-lived one stay.
import { checkNow } from '../../backends/validate.js';
import { ZooBackend, zooModule } from './base.js';

class StopsEarly extends ZooBackend {
  override async cleanupExpired(now: number): Promise<number> {
    this.guard('cleanupExpired');
    checkNow(now);
    const byAccess = this.table.entries().sort(([, a], [, b]) => a.lastAccessedAt - b.lastAccessedAt);
    let removed = 0;
    for (const [key, session] of byAccess) {
      if (!this.expired(session, now)) break; // BUG: assumes expiry order is lastAccessedAt order.
      this.table.delete(key);
      removed++;
    }
    return removed;
  }
}

export default zooModule({
  name: 'cleanup-stops-early',
  description: 'cleanupExpired scans by lastAccessedAt and stops at the first live session, missing later expired ones',
  backend: StopsEarly,
});
