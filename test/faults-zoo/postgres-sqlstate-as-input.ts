// The reference postgres backend behind a wrapper that sorts failures by where they came from: any
// error the server answered with a SQLSTATE is taken for the caller's bad input (INVALID_SESSION),
// only a dropped socket is UNAVAILABLE. A terminated connection (57P01, admin_shutdown) is a
// SQLSTATE too, so a caller is told not to retry what it should.
import type { BackendModule } from '../../backends/contract.js';
import { errorCode, SessionError } from '../../backends/errors.js';
import { loadReferenceBackend } from '../../backends/registry.js';
import { wrapCalls } from '../helpers/wrap-calls.js';

const postgres = await loadReferenceBackend('postgres');

function sqlstateAsInput<A extends unknown[], R>(call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args) =>
    call(...args).catch((err: unknown) => {
      const sqlstate = errorCode((err as Error).cause);
      // BUG: class 57 (operator intervention) and 08 (connection) are the server's, not the input's.
      if (sqlstate !== undefined && /^[0-9A-Z]{5}$/.test(sqlstate))
        throw new SessionError('INVALID_SESSION', (err as Error).message);
      throw err;
    });
}

const postgresSqlstateAsInput: BackendModule = {
  name: 'postgres-sqlstate-as-input',
  description: 'every error the server answered with a SQLSTATE (a terminated connection too) is INVALID_SESSION',
  capabilities: postgres.capabilities,
  async open(context) {
    return wrapCalls(await postgres.open(context), sqlstateAsInput);
  },
};

export default postgresSqlstateAsInput;
