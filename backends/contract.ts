// The session contract of shared/DESIGN.md. Plug-in modules implement it structurally:
// they need not import anything from sessionbench.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Session {
  /** Opaque to backends: 1..256 UTF-16 code units, any characters. */
  id: string;
  /** Integer ms since the epoch. */
  createdAt: number;
  /** Integer ms, >= createdAt. */
  lastAccessedAt: number;
  /** Idle timeout in ms; null never expires. */
  timeoutMs: number | null;
  /** 1 on creation, +1 on every write. */
  version: number;
  metadata: { [key: string]: Json };
}

export interface StoreOptions {
  /** Compare-and-set: the stored version must equal this (0: must not exist yet). */
  expectedVersion?: number;
}

export interface SessionBackend {
  /** Upsert; with expectedVersion an atomic compare-and-set (CONFLICT otherwise). */
  store(session: Session, options?: StoreOptions): Promise<void>;
  /** The caller's own copy, or undefined when missing or expired at `now`. */
  fetch(id: string, now: number): Promise<Session | undefined>;
  /** True when something was deleted. */
  delete(id: string): Promise<boolean>;
  /** Ids of every session live at `now`, any order. */
  list(now: number): Promise<string[]>;
  /** Removes the sessions expired at `now`; returns how many. */
  cleanupExpired(now: number): Promise<number>;
  /** Later calls of every other method reject with CLOSED; close() itself is idempotent. */
  close(): Promise<void>;
  /**
   * Optional (contract v2). The hottest write of a session store: every request touches.
   * Atomically and in one step (one round trip, one transaction): if `id` is live at `now`, set
   * its lastAccessedAt to max(stored, lastAccessedAt), add 1 to its version, and return the
   * updated session (the caller's own copy); if it is missing or expired at `now`, change nothing
   * and return undefined. It never revives a session and never changes metadata or timeoutMs.
   * A manager uses it when present and falls back to fetch + compare-and-set when not.
   */
  touch?(id: string, lastAccessedAt: number, now: number): Promise<Session | undefined>;
}

export interface BackendCapabilities {
  /** A second open() of the same dir/namespace sees what the first stored. */
  persistent: boolean;
  /** Two open() instances at once see each other's writes. */
  shared: boolean;
  // Contract v2, all optional; absent means the default.
  /** Default true: store() honours expectedVersion atomically. */
  compareAndSet?: boolean;
  /**
   * The size limit it enforces (UTF-8 bytes of the session's JSON); null: no limit; absent:
   * unknown (then only "refused means TOO_LARGE and nothing changed; accepted means round-trips").
   */
  maxSessionBytes?: number | null;
}

export interface OpenContext {
  /** A fresh or reused directory the backend may write in. */
  dir: string;
  /** Isolates one instance's data from another's in the same dir or server. */
  namespace: string;
  options?: Record<string, unknown>;
}

/** What a plug-in module default-exports. */
export interface BackendModule {
  name: string;
  description?: string;
  capabilities: BackendCapabilities;
  open(context: OpenContext): Promise<SessionBackend>;
}

/** What DESIGN's real-store modules declare: no compare-and-set and no size limit to promise, a tolerance instead. */
export interface RealStoreCapabilities {
  persistent: boolean;
  shared: boolean;
  /** How far from the declared TTL expiry may happen, early or late, on the wall clock (ms). */
  expiryToleranceMs?: number;
}

/**
 * An express-session Store (the interface @fastify/session shares): get/set/destroy, and
 * touch/all/length/clear where the store has them; callback style.
 */
export interface ExpressSessionModule {
  name: string;
  kind: 'express-session';
  description?: string;
  capabilities: RealStoreCapabilities;
  /** Resolves to the Store instance. */
  open(context: OpenContext): Promise<unknown>;
  /** How to release it (clients, timers). */
  close?(store: unknown): Promise<void>;
  /**
   * Open options that point this store at a server on `port` of 127.0.0.1, where nothing listens
   * (the unreachable-server scenario); absent for a store without a server.
   */
  unreachableOptions?(port: number): Record<string, unknown>;
}

/** A Keyv instance (get/set with ttl/delete/clear). */
export interface KeyvModule {
  name: string;
  kind: 'keyv';
  description?: string;
  capabilities: RealStoreCapabilities;
  open(context: OpenContext): Promise<unknown>;
  close?(keyv: unknown): Promise<void>;
  /**
   * Open options that point this store at a server on `port` of 127.0.0.1, where nothing listens
   * (the unreachable-server scenario); absent for a store without a server.
   */
  unreachableOptions?(port: number): Record<string, unknown>;
}

export type RealStoreModule = ExpressSessionModule | KeyvModule;
