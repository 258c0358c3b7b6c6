// Ids are trimmed on the way in (as a header or form value is): " a" and "a" are one session.
import { ZooBackend, zooModule } from './base.js';

class TrimmedId extends ZooBackend {
  protected override key(id: string): string {
    return id.trim(); // BUG: not injective.
  }
}

export default zooModule({
  name: 'trimmed-id',
  description: 'ids are trimmed before use as keys: ids differing in surrounding whitespace collide',
  backend: TrimmedId,
});
