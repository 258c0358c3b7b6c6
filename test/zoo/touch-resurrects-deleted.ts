// touch() re-saves the copy this instance last wrote when the row is gone, as a store whose touch
// is "set the request's session again" does: a deleted or cleaned-up session comes back.
import type { Session } from '../../backends/contract.js';
import { ZooBackend, zooModule } from './base.js';

class TouchResurrectsDeleted extends ZooBackend {
  readonly #written = new Map<string, Session>();

  protected override async write(key: string, session: Session, expected: number | undefined): Promise<void> {
    await super.write(key, session, expected);
    this.#written.set(key, session);
  }

  override async touch(id: string, lastAccessedAt: number, now: number): Promise<Session | undefined> {
    const key = this.key(this.validId(id));
    const copy = this.#written.get(key);
    if (this.table.get(key) === undefined && copy !== undefined) this.table.set(key, copy); // BUG: puts back what was removed.
    return super.touch(id, lastAccessedAt, now);
  }
}

export default zooModule({
  name: 'touch-resurrects-deleted',
  description: "touch() on a deleted or cleaned-up id stores again the instance's last written copy",
  backend: TouchResurrectsDeleted,
});
