// Returns the rows the cleanup looked at (a SCAN's count) rather than the rows it removed.
import { ZooBackend, zooModule } from './base.js';

class CountsScanned extends ZooBackend {
  override async cleanupExpired(now: number): Promise<number> {
    const scanned = this.table.entries().length;
    await super.cleanupExpired(now);
    return scanned; // BUG: the wrong count.
  }
}

export default zooModule({
  name: 'cleanup-counts-scanned',
  description: 'cleanupExpired removes the right sessions but returns how many it scanned',
  backend: CountsScanned,
});
