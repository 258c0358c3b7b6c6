// A store that copies the session with a spread: the metadata object is still the caller's.
import type { Session } from '../../backends/contract.js';
import { encodeSession } from '../../backends/codec.js';
import { ZooBackend, zooModule } from './base.js';

class ShallowCopyIn extends ZooBackend {
  protected override admit(session: Session): Session {
    encodeSession(session, this.maxBytes);
    return { ...session }; // BUG: one level deep: metadata is shared with the caller.
  }
}

export default zooModule({
  name: 'store-shallow-copy',
  description: 'store() keeps a shallow copy: mutating the metadata passed in afterwards changes what is stored',
  backend: ShallowCopyIn,
});
