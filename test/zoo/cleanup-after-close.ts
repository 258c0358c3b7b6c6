// The one method that forgot its closed check: a cleanup timer firing after close() runs on.
import { type Method, ZooBackend, zooModule } from './base.js';

class CleanupAfterClose extends ZooBackend {
  protected override guard(method: Method): void {
    if (method !== 'cleanupExpired') super.guard(method); // BUG: cleanupExpired never refuses.
  }
}

export default zooModule({
  name: 'cleanup-after-close',
  description: 'cleanupExpired() after close() resolves instead of rejecting with CLOSED',
  backend: CleanupAfterClose,
});
