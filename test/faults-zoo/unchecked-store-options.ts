// store() reads `options?.expectedVersion` without checking it: options "x" or null store
// unconditionally, and { expectedVersion: "1" } is a CONFLICT, where both are INVALID_SESSION.
import type { Session, StoreOptions } from '../../backends/contract.js';
import { ZooBackend, zooModule } from '../zoo/base.js';

class UncheckedStoreOptions extends ZooBackend {
  override async store(session: Session, options?: StoreOptions): Promise<void> {
    this.guard('store');
    const admitted = this.admit(session);
    await this.write(this.key(admitted.id), admitted, options?.expectedVersion); // BUG: no checkStoreOptions.
  }
}

export default zooModule({
  name: 'unchecked-store-options',
  description: 'store() uses options.expectedVersion as given instead of refusing malformed options',
  backend: UncheckedStoreOptions,
});
