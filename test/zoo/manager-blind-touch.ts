// touch() as read, bump lastAccessedAt, plain store: a metadata update that lands between its read
// and its write is overwritten by the stale copy it read (express-session's touch/resave races).
import type { Session } from '../../backends/contract.js';
import { ManagerParts, managerFactory, managerModule } from './manager-base.js';

class BlindTouch extends ManagerParts {
  override touch(id: string): Promise<Session | undefined> {
    return this.rewrite(
      id,
      (stored, now) => ({
        ...stored,
        lastAccessedAt: Math.max(stored.lastAccessedAt, now),
        version: stored.version + 1,
      }),
      'blind', // BUG: no compare-and-set.
    );
  }
}

export default managerModule(
  'manager-blind-touch',
  'touch() stores without compare-and-set: a concurrent metadata update is lost',
);
export const createManager = managerFactory(BlindTouch);
