// A plain store written as "delete, then insert" outside a transaction, with the insert doing the
// validation: a refused session has already lost the one it was meant to replace.
import type { Session, StoreOptions } from '../../backends/contract.js';
import { ZooBackend, zooModule } from './base.js';

class ReplaceDeletesFirst extends ZooBackend {
  override async store(session: Session, options?: StoreOptions): Promise<void> {
    const id: unknown = (session as Partial<Session> | null)?.id;
    // BUG: the old row goes before the new one is known to be acceptable.
    if (typeof id === 'string' && options?.expectedVersion === undefined) this.table.delete(this.key(id));
    return super.store(session, options);
  }
}

export default zooModule({
  name: 'replace-deletes-first',
  description: 'store() deletes the old session before validating the new one: TOO_LARGE or INVALID_SESSION loses it',
  backend: ReplaceDeletesFirst,
});
