// touch() as fetch, a round trip, then a plain store of the copy it read, with no compare-and-set:
// a metadata update that lands in between is overwritten (balor/connect-memcached#33).
import { setImmediate as ioRoundTrip } from 'node:timers/promises';
import type { Session } from '../../backends/contract.js';
import { ZooBackend, zooModule } from './base.js';

class TouchReadModifyWrite extends ZooBackend {
  override async touch(id: string, lastAccessedAt: number, now: number): Promise<Session | undefined> {
    this.checkTouch(id, lastAccessedAt, now);
    const stored = await this.fetch(id, now);
    if (stored === undefined) return undefined;
    await ioRoundTrip();
    const next = this.touched(stored, lastAccessedAt);
    await this.store(next); // BUG: not atomic with the read: whatever was written since is lost.
    return next;
  }
}

export default zooModule({
  name: 'touch-read-modify-write',
  description: 'touch() fetches, then stores the touched copy without compare-and-set: a concurrent update is lost',
  backend: TouchReadModifyWrite,
});
