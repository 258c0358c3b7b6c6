// Optimistic locking that checks the incoming row ("is it newer than what is stored?") instead of
// comparing the stored version with expectedVersion: a stale writer with a higher version wins.
import type { Session } from '../../backends/contract.js';
import { ZooBackend, zooModule } from './base.js';

class ChecksIncoming extends ZooBackend {
  protected override conflicts(stored: Session | undefined, incoming: Session, expected: number | undefined): boolean {
    return expected !== undefined && incoming.version <= (stored?.version ?? 0); // BUG: expectedVersion unused.
  }
}

export default zooModule({
  name: 'cas-checks-incoming',
  description: 'CAS accepts any write whose version is above the stored one, whatever expectedVersion says',
  backend: ChecksIncoming,
});
