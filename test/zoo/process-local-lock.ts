// Compare-and-set made "atomic" with an in-process mutex over a shared SQLite file: it serialises
// this instance's writers but not another process's, so a second instance still loses updates.
import type { Session } from '../../backends/contract.js';
import { onSqlite, zooModule } from './base.js';
import { ReadThenWrite } from './lost-update.js';

class ProcessLocalLock extends ReadThenWrite {
  #lock: Promise<unknown> = Promise.resolve();

  protected override write(key: string, session: Session, expected: number | undefined): Promise<void> {
    // BUG: the lock lives in this instance; the database transaction that would bind every instance is missing.
    const run = this.#lock.then(() => super.write(key, session, expected));
    this.#lock = run.catch(() => {});
    return run;
  }
}

export default zooModule({
  name: 'process-local-lock',
  description: 'CAS guarded by a per-instance mutex over a shared SQLite file: two instances both win',
  backend: ProcessLocalLock,
  ...onSqlite,
});
