// Serialised with a depth limit (safe-stable-stringify's maximumDepth, util.inspect's depth):
// anything nested deeper is stored as the string "[Object]" or "[Array]".
import type { Json, Session } from '../../backends/contract.js';
import { ZooBackend, zooModule } from './base.js';

const MAX_DEPTH = 10;

function bounded(value: Json, depth: number): Json {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '[Array]' : '[Object]'; // BUG: silently cut.
  if (Array.isArray(value)) return value.map((item) => bounded(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, bounded(item, depth + 1)]));
}

class BoundedDepth extends ZooBackend {
  protected override admit(session: Session): Session {
    const admitted = super.admit(session);
    return { ...admitted, metadata: bounded(admitted.metadata, 0) as Session['metadata'] };
  }
}

export default zooModule({
  name: 'bounded-depth',
  description: `metadata nested deeper than ${MAX_DEPTH} levels is stored as "[Object]" / "[Array]"`,
  backend: BoundedDepth,
});
