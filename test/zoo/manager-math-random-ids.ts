// Ids from Math.random().toString(36): not from a CSPRNG, and not the documented 32 hex characters.
import type { Session } from '../../backends/contract.js';
import type { CreateInit } from '../../backends/manager.js';
import { ManagerParts, managerFactory, managerModule } from './manager-base.js';

class MathRandomIds extends ManagerParts {
  override create(init?: CreateInit): Promise<Session> {
    return this.createWith(Math.random().toString(36).slice(2), init); // BUG: predictable, 10-11 base-36 characters.
  }
}

export default managerModule(
  'manager-math-random-ids',
  'the manager issues Math.random() base-36 ids, not 32 hex characters',
);
export const createManager = managerFactory(MathRandomIds);
