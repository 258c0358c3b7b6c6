// A VARCHAR(64) key column in a non-strict SQL mode truncates longer ids silently.
import { ZooBackend, zooModule } from './base.js';

class TruncatedId extends ZooBackend {
  protected override key(id: string): string {
    return id.slice(0, 64); // BUG: ids sharing their first 64 units collide.
  }
}

export default zooModule({
  name: 'truncated-id',
  description: 'keys are the first 64 characters of the id: long ids with a common prefix collide',
  backend: TruncatedId,
});
