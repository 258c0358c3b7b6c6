// Lists every stored key (a KEYS/SCAN over the namespace) without looking at expiry.
import { ZooBackend, zooModule } from './base.js';

class ListShowsExpired extends ZooBackend {
  override async list(_now: number): Promise<string[]> {
    return super.list(0); // BUG: `now` ignored: expired sessions are listed.
  }
}

export default zooModule({
  name: 'list-shows-expired',
  description: 'list() includes expired sessions that cleanupExpired has not removed yet',
  backend: ListShowsExpired,
});
