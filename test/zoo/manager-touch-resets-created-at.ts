// touch() rebuilt as "create it again with the same id and metadata": createdAt moves to now.
import type { Session } from '../../backends/contract.js';
import { ManagerParts, managerFactory, managerModule } from './manager-base.js';

class TouchResetsCreatedAt extends ManagerParts {
  override touch(id: string): Promise<Session | undefined> {
    return this.rewrite(
      id,
      (stored, now) => {
        const at = Math.max(stored.lastAccessedAt, now);
        return { ...stored, createdAt: at, lastAccessedAt: at, version: stored.version + 1 }; // BUG: createdAt rewritten.
      },
      'compare-and-set',
    );
  }
}

export default managerModule('manager-touch-resets-created-at', 'touch() sets createdAt to the access time as well');
export const createManager = managerFactory(TouchResetsCreatedAt);
