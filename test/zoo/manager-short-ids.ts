// Ids from 16 random bits where 16 bytes were meant (a bits/bytes mix-up), padded to the
// documented 32 hex characters: right format, and collisions within a few hundred sessions.
import { randomBytes } from 'node:crypto';
import type { Session } from '../../backends/contract.js';
import type { CreateInit } from '../../backends/manager.js';
import { ManagerParts, managerFactory, managerModule } from './manager-base.js';

class ShortIds extends ManagerParts {
  override create(init?: CreateInit): Promise<Session> {
    return this.createWith(
      randomBytes(16 / 8)
        .toString('hex')
        .padStart(32, '0'),
      init,
    ); // BUG: 2 bytes, not 16.
  }
}

export default managerModule(
  'manager-short-ids',
  'the manager issues ids with 16 random bits (2 bytes where 16 were meant)',
);
export const createManager = managerFactory(ShortIds);
