// touch() sets lastAccessedAt to the clock as it reads: when the clock steps back (NTP), the
// session's last access moves into the past and it expires early.
import type { Session } from '../../backends/contract.js';
import { ManagerParts, managerFactory, managerModule } from './manager-base.js';

class TouchFollowsClock extends ManagerParts {
  override touch(id: string): Promise<Session | undefined> {
    return this.rewrite(
      id,
      (stored, now) => ({ ...stored, lastAccessedAt: now, version: stored.version + 1 }), // BUG: not max(stored, now).
      'compare-and-set',
    );
  }
}

export default managerModule(
  'manager-touch-follows-clock',
  'touch() sets lastAccessedAt to the clock even when the clock stepped back',
);
export const createManager = managerFactory(TouchFollowsClock);
