// Compare-and-set as read, round trip, write: another writer gets in between and both "win"
// (flask-session#71, session-file-store#55: concurrent requests trample each other's session).
import { setImmediate as ioRoundTrip } from 'node:timers/promises';
import type { Session } from '../../backends/contract.js';
import { conflict, ZooBackend, zooModule } from './base.js';

export class ReadThenWrite extends ZooBackend {
  protected override async write(key: string, session: Session, expected: number | undefined): Promise<void> {
    const stored = this.table.get(key);
    await ioRoundTrip(); // BUG: not atomic: the check below uses a version that may be stale by now.
    if (this.conflicts(stored, session, expected)) throw conflict(expected!, stored);
    this.table.set(key, session);
  }
}

export default zooModule({
  name: 'lost-update',
  description: 'compare-and-set reads, awaits, then writes: two concurrent CAS from one version both succeed',
  backend: ReadThenWrite,
});
