// destroy() that reports success whatever happened (the reply of DEL ignored).
import { ZooBackend, zooModule } from './base.js';

class DeleteAlwaysTrue extends ZooBackend {
  override async delete(id: string): Promise<boolean> {
    await super.delete(id);
    return true; // BUG: not what happened.
  }
}

export default zooModule({
  name: 'delete-always-true',
  description: 'delete() returns true even when there was nothing to delete',
  backend: DeleteAlwaysTrue,
});
