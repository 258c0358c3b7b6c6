// fetch() trusts its `now`: a string, NaN or a negative time is compared as it is (so "5" or NaN
// reads every session as live) instead of refused with INVALID_SESSION.
import type { Session } from '../../backends/contract.js';
import { ZooBackend, zooModule } from '../zoo/base.js';

class UncheckedNow extends ZooBackend {
  override async fetch(id: string, now: number): Promise<Session | undefined> {
    this.guard('fetch');
    const session = this.table.get(this.key(this.validId(id))); // BUG: no checkNow(now).
    return session === undefined || this.expired(session, now) ? undefined : this.emit(session);
  }
}

export default zooModule({
  name: 'unchecked-now',
  description: 'fetch() uses any `now` it is given instead of refusing a non-integer or negative one',
  backend: UncheckedNow,
});
