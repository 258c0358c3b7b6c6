// One promise-style face over an express-session Store or a Keyv instance, for the blob adapter
// and the wall-clock scenarios alike. Every call is bounded by a timeout and tells how it ended
// (a timeout is an outcome, not an exception), and a callback called more than once is counted,
// never allowed to crash the run.
import type { Json, RealStoreModule } from '../contract.js';

/** How one call ended; `ms` is its wall-clock duration. */
export type CallOutcome<T> =
  | { status: 'ok'; value: T; ms: number }
  | { status: 'error'; error: unknown; ms: number }
  | { status: 'timeout'; ms: number };

/** What a session holds in such a store: the app's own fields; the cookie is the store's concern. */
export type SessionData = { [key: string]: Json };

export interface RealStore {
  readonly kind: RealStoreModule['kind'];
  readonly name: string;
  /** The optional methods the instance has (a Keyv instance has neither touch, all nor length). */
  readonly has: { touch: boolean; all: boolean; length: boolean; clear: boolean };
  /** The session's data, or undefined when the store has none (null, undefined or express-session's ENOENT). */
  get(sid: string): Promise<CallOutcome<SessionData | undefined>>;
  /** Stores `data` to expire `ttlMs` from now (express-session: the cookie's maxAge and expires). */
  set(sid: string, data: SessionData, ttlMs: number): Promise<CallOutcome<void>>;
  /** express-session's touch with `data` as the (possibly stale) copy the request holds. */
  touch(sid: string, data: SessionData, ttlMs: number): Promise<CallOutcome<void>>;
  destroy(sid: string): Promise<CallOutcome<void>>;
  /** The data of every session the store lists. */
  all(): Promise<CallOutcome<SessionData[]>>;
  length(): Promise<CallOutcome<number>>;
  clear(): Promise<CallOutcome<void>>;
  /** Callbacks called more than once so far, by method name ("get called back 2 times"). */
  readonly extraCallbacks: readonly string[];
  /** Releases the instance through the module's close (clients, timers), bounded by a timeout. */
  close(): Promise<CallOutcome<void>>;
}
