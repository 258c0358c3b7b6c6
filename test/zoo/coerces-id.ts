// Keys built by interpolation (`sess:${id}`): a number, null or an object is a "valid" id, and an
// empty or 1000-character one is looked up instead of refused.
import { ZooBackend, zooModule } from './base.js';

class CoercesId extends ZooBackend {
  protected override validId(id: string): string {
    return String(id); // BUG: coerced, not checked.
  }
}

export default zooModule({
  name: 'coerces-id',
  description: 'fetch() and delete() coerce any id to a string instead of refusing it with INVALID_ID',
  backend: CoercesId,
});
