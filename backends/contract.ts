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
}

export interface BackendCapabilities {
  /** A second open() of the same dir/namespace sees what the first stored. */
  persistent: boolean;
  /** Two open() instances at once see each other's writes. */
  shared: boolean;
  /** Default true: store() honours expectedVersion atomically. */
  compareAndSet?: boolean;
  /** The size limit store() enforces (UTF-8 bytes of the session's JSON); null: none; absent: unknown. */
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
