// Metadata stored as a flat hash that has no null (a Redis hash, or a "compact" step before
// saving): keys whose value is null vanish, so { a: null } comes back as {}.
import type { Json, Session } from '../../backends/contract.js';
import { ZooBackend, zooModule } from './base.js';

class DropsNulls extends ZooBackend {
  protected override admit(session: Session): Session {
    const admitted = super.admit(session);
    // BUG: a reviver returning undefined deletes the key.
    const metadata = JSON.parse(JSON.stringify(admitted.metadata), (_key, value: Json) =>
      value === null ? undefined : value,
    ) as Session['metadata'];
    return { ...admitted, metadata };
  }
}

export default zooModule({
  name: 'drops-null-values',
  description: 'metadata keys whose value is null are dropped, and nulls in arrays become holes',
  backend: DropsNulls,
});
