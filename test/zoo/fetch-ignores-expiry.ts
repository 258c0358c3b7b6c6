// Relies on the cleanup timer to hide expired sessions: between two cleanups fetch serves them.
import type { Session } from '../../backends/contract.js';
import { ZooBackend, zooModule } from './base.js';

class FetchIgnoresExpiry extends ZooBackend {
  override async fetch(id: string, now: number): Promise<Session | undefined> {
    return super.fetch(id, 0); // BUG: fetch never checks expiry (nothing is expired at 0).
  }
}

export default zooModule({
  name: 'fetch-ignores-expiry',
  description: 'fetch() returns expired sessions until cleanupExpired removes them',
  backend: FetchIgnoresExpiry,
});
