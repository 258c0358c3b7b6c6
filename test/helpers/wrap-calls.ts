// A backend seen through a wrapper around each of its calls (close aside): how the test fixtures
// add one fault (a delay, lost error codes) to a correct backend without restating the contract.
import type { SessionBackend } from '../../backends/contract.js';

export type CallWrapper = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => (...args: A) => Promise<R>;

export function wrapCalls(inner: SessionBackend, wrap: CallWrapper): SessionBackend {
  return {
    store: wrap(inner.store.bind(inner)),
    fetch: wrap(inner.fetch.bind(inner)),
    delete: wrap(inner.delete.bind(inner)),
    list: wrap(inner.list.bind(inner)),
    cleanupExpired: wrap(inner.cleanupExpired.bind(inner)),
    close: () => inner.close(),
  };
}
