// updateMetadata() as read, merge, plain store: two managers updating at once lose one update
// (fastify-session#237, flask-session#71).
import type { Session } from '../../backends/contract.js';
import type { MetadataUpdate } from '../../backends/manager.js';
import { ManagerParts, managerFactory, managerModule } from './manager-base.js';

class BlindUpdate extends ManagerParts {
  override updateMetadata(id: string, update: MetadataUpdate): Promise<Session | undefined> {
    return this.rewrite(
      id,
      (stored, now) => ({
        ...stored,
        lastAccessedAt: Math.max(stored.lastAccessedAt, now),
        version: stored.version + 1,
        metadata: typeof update === 'function' ? update(stored.metadata) : { ...stored.metadata, ...update },
      }),
      'blind', // BUG: no compare-and-set.
    );
  }
}

export default managerModule(
  'manager-blind-update',
  'updateMetadata() stores without compare-and-set: concurrent updates are lost',
);
export const createManager = managerFactory(BlindUpdate);
