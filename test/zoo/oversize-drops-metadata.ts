// Over the size limit the store saves what it can instead of refusing (as a cookie store whose
// oversized cookie the browser drops does): the session survives with empty metadata.
import type { Session } from '../../backends/contract.js';
import { isSessionError } from '../../backends/errors.js';
import { ZooBackend, zooModule } from './base.js';

class DropsMetadataWhenTooLarge extends ZooBackend {
  protected override admit(session: Session): Session {
    try {
      return super.admit(session);
    } catch (err) {
      if (!isSessionError(err, 'TOO_LARGE')) throw err;
      return super.admit({ ...session, metadata: {} }); // BUG: data loss instead of TOO_LARGE.
    }
  }
}

export default zooModule({
  name: 'oversize-drops-metadata',
  description: 'a session over maxSessionBytes is stored with empty metadata instead of refused with TOO_LARGE',
  backend: DropsMetadataWhenTooLarge,
});
