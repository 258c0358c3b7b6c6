// `if (options.expectedVersion)` treats 0 ("must not exist yet") as "no CAS": create overwrites.
import type { Session } from '../../backends/contract.js';
import { ZooBackend, zooModule } from './base.js';

class ZeroIsFalsy extends ZooBackend {
  protected override conflicts(stored: Session | undefined, _incoming: Session, expected: number | undefined): boolean {
    return Boolean(expected) && (stored?.version ?? 0) !== expected; // BUG: 0 is falsy.
  }
}

export default zooModule({
  name: 'cas-zero-is-falsy',
  description: 'expectedVersion 0 is read as "no compare-and-set": a create overwrites an existing session',
  backend: ZeroIsFalsy,
});
