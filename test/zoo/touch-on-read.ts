// A rolling store that slides the expiry on every read, before checking it: an expired session
// comes back to life (expressjs/session#624, tj/connect-redis#251: TTL reset after expiry).
import type { Session } from '../../backends/contract.js';
import { ZooBackend, zooModule } from './base.js';

class TouchOnRead extends ZooBackend {
  override async fetch(id: string, now: number): Promise<Session | undefined> {
    const key = this.key(id);
    const stored = this.table.get(key);
    // BUG: touched first, checked second.
    if (stored !== undefined && Number.isSafeInteger(now)) {
      this.table.set(key, { ...stored, lastAccessedAt: Math.max(stored.lastAccessedAt, now) });
    }
    return super.fetch(id, now);
  }
}

export default zooModule({
  name: 'touch-on-read',
  description: 'fetch() slides lastAccessedAt to now before the expiry check: reads resurrect expired sessions',
  backend: TouchOnRead,
});
