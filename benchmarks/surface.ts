// What a workload drives: one interface over a backend (through the contract, and the
// SessionManager for read-modify-write) and over the raw driver underneath it, so one
// workload definition measures both and their rows compare like for like.
import type { Session, SessionBackend } from '../backends/contract.js';
import { SessionManager } from '../backends/manager.js';

type Metadata = Session['metadata'];

export interface Surface {
  /** A plain write, as prefill does it. */
  load(session: Session): Promise<void>;
  /** A write of a new session (the backend: compare-and-set against version 0, as the manager creates). */
  create(session: Session): Promise<void>;
  fetch(id: string, now: number): Promise<Session | undefined>;
  /** Read, then write back with lastAccessedAt = now and version + 1. */
  touch(id: string, now: number): Promise<unknown>;
  /** Read, then write back with the patch merged into the metadata. */
  updateMetadata(id: string, patch: Metadata, now: number): Promise<unknown>;
  delete(id: string): Promise<boolean>;
  /** Absent where the raw driver has no natural equivalent. */
  list?(now: number): Promise<string[]>;
  cleanupExpired?(now: number): Promise<number>;
  close(): Promise<void>;
}

/** CAS retries are unbounded in practice: 64 writers on one hot zipfian key conflict often, by design. */
const BENCH_MAX_RETRIES = 10_000;

/**
 * A backend as the benchmark drives it: single calls straight through the contract, touch and
 * updateMetadata through the SessionManager (fetch, then store with expectedVersion), exactly
 * the path an application takes.
 */
export function backendSurface(backend: SessionBackend): Surface {
  let clock = 0;
  const manager = new SessionManager(backend, { clock: () => clock, maxRetries: BENCH_MAX_RETRIES });
  return {
    load: (session) => backend.store(session),
    create: (session) => backend.store(session, { expectedVersion: 0 }),
    fetch: (id, now) => backend.fetch(id, now),
    touch: (id, now) => {
      clock = now;
      return manager.touch(id);
    },
    updateMetadata: (id, patch, now) => {
      clock = now;
      return manager.updateMetadata(id, patch);
    },
    delete: (id) => backend.delete(id),
    list: (now) => backend.list(now),
    cleanupExpired: (now) => backend.cleanupExpired(now),
    close: () => manager.close(),
  };
}
