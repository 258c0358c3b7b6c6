// Copies the session and its metadata object, but not what the metadata holds.
import type { Session } from '../../backends/contract.js';
import { ZooBackend, zooModule } from './base.js';

class OneLevelCopyOut extends ZooBackend {
  protected override emit(session: Session): Session {
    return { ...session, metadata: { ...session.metadata } }; // BUG: nested values are shared.
  }
}

export default zooModule({
  name: 'fetch-one-level-copy',
  description: 'fetch() copies two levels: mutating a nested metadata value of the result changes what is stored',
  backend: OneLevelCopyOut,
});
