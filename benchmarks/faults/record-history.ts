// The recorder: a SessionBackend that passes every call through and records store, fetch, touch
// and delete as HistoryEvents on the shared clock, for the linearizability checker. Every fault
// scenario that checks histories records through it.
import type { Session, SessionBackend } from '../../backends/contract.js';
import { errorCode } from '../../backends/errors.js';
import { type HistoryCall, historyClock, type HistoryEvent, type HistoryOutcome } from './history.js';

/**
 * Errors that say the call did nothing: bad input, a CONFLICT, a closed backend. Any other error
 * (UNAVAILABLE after a command timeout, a dropped connection, CORRUPT, an unknown throw) may
 * come after the write landed: ambiguous.
 */
const DEFINITE_FAILURES = new Set(['CONFLICT', 'INVALID_ID', 'INVALID_SESSION', 'TOO_LARGE', 'CLOSED']);

export function outcomeOfError(err: unknown): HistoryOutcome {
  const code = errorCode(err);
  return code !== undefined && DEFINITE_FAILURES.has(code)
    ? { type: 'fail', code }
    : { type: 'info', error: code ?? String(err) };
}

/** The session as it was when stored (the caller may mutate it after); as given when it can't be copied (bad input). */
function snapshot(session: Session): Session {
  try {
    return structuredClone(session);
  } catch {
    return session;
  }
}

/** Wraps `backend`: each call of the four history operations is pushed to `events` as it completes, under `client`. */
export function recordHistory(backend: SessionBackend, client: string, events: HistoryEvent[]): SessionBackend {
  const record = async <T extends Session | boolean | undefined | void>(
    call: HistoryCall,
    run: () => Promise<T>,
  ): Promise<T> => {
    const invokedAt = historyClock();
    try {
      const value = await run();
      const copy = typeof value === 'object' ? structuredClone(value) : value;
      events.push({
        client,
        call,
        invokedAt,
        completedAt: historyClock(),
        outcome: { type: 'ok', value: copy ?? undefined },
      });
      return value;
    } catch (err) {
      events.push({ client, call, invokedAt, completedAt: historyClock(), outcome: outcomeOfError(err) });
      throw err;
    }
  };
  const recorded: SessionBackend = {
    store: (session, options) =>
      record(
        { f: 'store', id: session.id, session: snapshot(session), expectedVersion: options?.expectedVersion },
        () => backend.store(session, options),
      ),
    fetch: (id, now) => record({ f: 'fetch', id, now }, () => backend.fetch(id, now)),
    delete: (id) => record({ f: 'delete', id }, () => backend.delete(id)),
    list: (now) => backend.list(now),
    cleanupExpired: (now) => backend.cleanupExpired(now),
    close: () => backend.close(),
  };
  const touch = backend.touch?.bind(backend);
  if (touch !== undefined)
    recorded.touch = (id, lastAccessedAt, now) =>
      record({ f: 'touch', id, lastAccessedAt, now }, () => touch(id, lastAccessedAt, now));
  return recorded;
}
