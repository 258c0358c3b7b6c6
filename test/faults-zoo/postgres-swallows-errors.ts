// The reference postgres backend behind a wrapper that never lets a database error reach the
// request, as a store "that must not break the site" may: a failed call resolves anyway (a store as
// if written, a fetch as a miss). A terminated connection becomes acknowledged writes that were
// never made, instead of UNAVAILABLE.
import type { BackendModule } from '../../backends/contract.js';
import { loadReferenceBackend } from '../../backends/registry.js';
import { wrapCalls } from '../helpers/wrap-calls.js';

const postgres = await loadReferenceBackend('postgres');

function swallowed<A extends unknown[], R>(call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args) => call(...args).catch(() => undefined as R); // BUG: the failure is acknowledged as success.
}

const postgresSwallowsErrors: BackendModule = {
  name: 'postgres-swallows-errors',
  description: 'every failed call resolves as if it had succeeded (a store as written, a fetch as a miss)',
  capabilities: postgres.capabilities,
  async open(context) {
    return wrapCalls(await postgres.open(context), swallowed);
  },
};

export default postgresSwallowsErrors;
