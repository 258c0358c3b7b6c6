// The session layer above any backend, as erlmcp's session manager is: it issues ids, owns the
// clock (time reaches the backend only as an explicit `now`), keeps lastAccessedAt monotonic,
// and applies every change by compare-and-set with bounded retry, so two managers on one shared
// backend never lose each other's updates (a touch goes to the backend's own atomic touch where
// it has one).
import { isDeepStrictEqual } from 'node:util';
import type { Session, SessionBackend } from './contract.js';
import { errorCode, SessionError } from './errors.js';
import {
  checkTimeout,
  resolveOptions,
  type CleanupOutcome,
  type ManagerOptions,
  type ResolvedOptions,
} from './manager-options.js';
import { newSessionId } from './session-id.js';
import { checkId, isJson } from './validate.js';

export type { CleanupOutcome, ManagerOptions } from './manager-options.js';

export type Metadata = Session['metadata'];

/**
 * A patch sets each of its keys (shallow merge). A function maps the current metadata (the
 * manager's own copy) to the new one; it may run more than once when a write conflicts, so it
 * must not have side effects. Removing keys takes the function form.
 */
export type MetadataUpdate = Metadata | ((metadata: Metadata) => Metadata);

export interface CreateInit {
  metadata?: Metadata;
  /** Default: the manager's defaultTimeoutMs. */
  timeoutMs?: number | null;
  /** Refused unless the manager was built with acceptCallerIds: true. */
  id?: string;
}

export interface ManagerStats {
  created: number;
  /** get() calls that found a live session. */
  fetched: number;
  touched: number;
  /** updateMetadata() and setTimeout() calls that changed a session. */
  updated: number;
  /** Sessions removed by cleanupExpired(), called or timed. */
  expired: number;
  deleted: number;
  conflictsRetried: number;
  unavailableRetried: number;
  /** Timed cleanups that failed; the last error is lastCleanupError. */
  cleanupErrors: number;
}

/** The global timer (not node:timers/promises), so tests can drive backoffs with mock timers. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const CREATE_FIELDS = new Set(['metadata', 'timeoutMs', 'id']);

/** What a change may decide; id, createdAt, lastAccessedAt and version are the manager's. */
type Change = (stored: Session) => Pick<Session, 'timeoutMs' | 'metadata'>;

export class SessionManager {
  readonly #backend: SessionBackend;
  readonly #options: ResolvedOptions;
  readonly #stats: ManagerStats = {
    created: 0,
    fetched: 0,
    touched: 0,
    updated: 0,
    expired: 0,
    deleted: 0,
    conflictsRetried: 0,
    unavailableRetried: 0,
    cleanupErrors: 0,
  };
  readonly #timer: NodeJS.Timeout | undefined;
  #timedCleanup: Promise<void> | undefined;
  #lastCleanupError: unknown;
  #closing: Promise<void> | undefined;

  constructor(backend: SessionBackend, options?: ManagerOptions) {
    this.#backend = backend;
    this.#options = resolveOptions(options);
    const every = this.#options.cleanupIntervalMs;
    if (every !== null) {
      // unref: a cleanup timer alone must never keep the process alive.
      this.#timer = setInterval(() => this.#runTimedCleanup(), every).unref();
    }
  }

  /** The error of the last failed timed cleanup (timed cleanups never reject: nobody awaits them). */
  get lastCleanupError(): unknown {
    return this.#lastCleanupError;
  }

  async create(init: CreateInit = {}): Promise<Session> {
    this.#assertOpen();
    if (typeof init !== 'object' || init === null || Array.isArray(init)) {
      throw new SessionError('INVALID_SESSION', 'create() takes an object { metadata?, timeoutMs?, id? }');
    }
    for (const key of Object.keys(init)) {
      if (!CREATE_FIELDS.has(key))
        throw new SessionError('INVALID_SESSION', `unknown create() field ${JSON.stringify(key)}`);
    }
    const callerId = this.#callerId(init.id);
    const timeoutMs =
      init.timeoutMs === undefined ? this.#options.defaultTimeoutMs : checkTimeout(init.timeoutMs, 'timeoutMs');
    for (let attempt = 0; ; attempt++) {
      const now = this.#options.clock();
      const session: Session = {
        id: callerId ?? newSessionId(),
        createdAt: now,
        lastAccessedAt: now,
        timeoutMs,
        version: 1,
        metadata: init.metadata === undefined ? {} : init.metadata,
      };
      // The backend validates the session; nothing is written when it is refused.
      if (await this.#storeIfVersion(session, 0)) {
        this.#stats.created++;
        // The caller's metadata object must not alias the session handed back.
        return structuredClone(session);
      }
      if (callerId !== undefined)
        throw new SessionError('CONFLICT', `session ${JSON.stringify(callerId)} already exists`);
      if (attempt >= this.#options.maxRetries) {
        throw new SessionError(
          'CONFLICT',
          `generated session ids collided ${attempt + 1} times: is the backend's CAS broken?`,
        );
      }
      this.#stats.conflictsRetried++;
    }
  }

  /** The live session, or undefined. A read: it neither touches nor resurrects. */
  async get(id: string): Promise<Session | undefined> {
    this.#assertOpen();
    const session = await this.#call(() => this.#backend.fetch(id, this.#options.clock()));
    if (session !== undefined) this.#stats.fetched++;
    return session;
  }

  /**
   * Marks the session accessed now (never earlier than it already was): in one step by the
   * backend's touch when it has one (contract v2), else by fetch + compare-and-set.
   */
  async touch(id: string): Promise<Session | undefined> {
    const session =
      this.#backend.touch === undefined ? await this.#modify(id, (stored) => stored) : await this.#touchInOneStep(id);
    if (session !== undefined) this.#stats.touched++;
    return session;
  }

  /** Applies a patch or a function to the metadata; an update is also an access. */
  async updateMetadata(id: string, update: MetadataUpdate): Promise<Session | undefined> {
    this.#assertOpen();
    let change: Change;
    if (typeof update === 'function') {
      change = (stored) => ({ timeoutMs: stored.timeoutMs, metadata: update(stored.metadata) });
    } else {
      // Checked here because a spread would silently misread a string, an array or a Map.
      if (typeof update !== 'object' || update === null || Array.isArray(update) || !isJson(update)) {
        throw new SessionError(
          'INVALID_SESSION',
          'a metadata patch must be a plain object of JSON values (to remove keys, pass a function)',
        );
      }
      change = (stored) => ({ timeoutMs: stored.timeoutMs, metadata: { ...stored.metadata, ...update } });
    }
    const session = await this.#modify(id, change);
    if (session === undefined) return undefined;
    this.#stats.updated++;
    // The patch's values or the function's result are the caller's objects: hand back a copy.
    return structuredClone(session);
  }

  /** Sets the idle timeout (null: never expires), counted from this access. */
  async setTimeout(id: string, timeoutMs: number | null): Promise<Session | undefined> {
    this.#assertOpen();
    checkTimeout(timeoutMs, 'timeoutMs');
    const session = await this.#modify(id, (stored) => ({ timeoutMs, metadata: stored.metadata }));
    if (session !== undefined) this.#stats.updated++;
    return session;
  }

  async delete(id: string): Promise<boolean> {
    this.#assertOpen();
    const deleted = await this.#call(() => this.#backend.delete(id));
    if (deleted) this.#stats.deleted++;
    return deleted;
  }

  async list(): Promise<string[]> {
    this.#assertOpen();
    return this.#call(() => this.#backend.list(this.#options.clock()));
  }

  async cleanupExpired(): Promise<number> {
    this.#assertOpen();
    const removed = await this.#call(() => this.#backend.cleanupExpired(this.#options.clock()));
    this.#stats.expired += removed;
    return removed;
  }

  stats(): ManagerStats {
    return { ...this.#stats };
  }

  /** Stops the timer, lets a running timed cleanup finish, then closes the backend (if owned). */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    clearInterval(this.#timer);
    await this.#timedCleanup;
    if (this.#options.closeBackend) await this.#backend.close();
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new SessionError('CLOSED', 'the session manager is closed');
  }

  #callerId(id: unknown): string | undefined {
    if (id === undefined) return undefined;
    if (!this.#options.acceptCallerIds) {
      throw new SessionError(
        'INVALID_ID',
        'create() does not take an id: the manager issues them (construct it with acceptCallerIds: true to allow one)',
      );
    }
    return checkId(id);
  }

  /**
   * The backend keeps max(stored, now), so a clock stepping back never moves the access into the
   * past. Retrying an UNAVAILABLE touch whose reply was lost touches twice: the same
   * lastAccessedAt, one more version, which is harmless (no change is redone on stale data).
   */
  async #touchInOneStep(id: string): Promise<Session | undefined> {
    this.#assertOpen();
    return this.#call(() => {
      const now = this.#options.clock();
      return this.#backend.touch!(id, now, now);
    });
  }

  /**
   * Read, change, compare-and-set; on CONFLICT read again and redo, up to maxRetries times.
   * A session missing or expired at `now` is undefined: a change never resurrects one.
   */
  async #modify(id: string, change: Change): Promise<Session | undefined> {
    this.#assertOpen();
    for (let attempt = 0; ; attempt++) {
      const now = this.#options.clock();
      const stored = await this.#call(() => this.#backend.fetch(id, now));
      if (stored === undefined) return undefined;
      const { timeoutMs, metadata } = change(stored);
      const next: Session = {
        id,
        createdAt: stored.createdAt,
        // Monotonic: a clock that steps back never moves an access into the past.
        lastAccessedAt: Math.max(stored.lastAccessedAt, now),
        timeoutMs,
        version: stored.version + 1,
        metadata,
      };
      if (await this.#storeIfVersion(next, stored.version)) return next;
      if (attempt >= this.#options.maxRetries) {
        throw new SessionError('CONFLICT', `session ${JSON.stringify(id)} still conflicted after ${attempt} retries`);
      }
      this.#stats.conflictsRetried++;
    }
  }

  /**
   * Compare-and-set; false on CONFLICT. After an UNAVAILABLE the first attempt may have landed
   * with only its reply lost, in which case the retry conflicts with our own write: read back
   * and tell the two apart, or a function update would be applied twice.
   */
  async #storeIfVersion(session: Session, expectedVersion: number): Promise<boolean> {
    let retried = false;
    try {
      await this.#call(
        () => this.#backend.store(session, { expectedVersion }),
        () => (retried = true),
      );
      return true;
    } catch (err) {
      if (errorCode(err) !== 'CONFLICT') throw err;
      if (!retried) return false;
      // Read at the write's own instant: later, a short timeout could already hide it.
      const stored = await this.#call(() => this.#backend.fetch(session.id, session.lastAccessedAt));
      return isDeepStrictEqual(stored, structuredClone(session));
    }
  }

  /** Runs a backend call, retrying UNAVAILABLE with exponential backoff up to unavailableRetries. */
  async #call<T>(operation: () => Promise<T>, onRetry?: () => void): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      this.#assertOpen();
      try {
        return await operation();
      } catch (err) {
        if (errorCode(err) !== 'UNAVAILABLE' || attempt >= this.#options.unavailableRetries) throw err;
        this.#stats.unavailableRetried++;
        onRetry?.();
        await sleep(this.#options.backoffMs * 2 ** attempt);
      }
    }
  }

  #runTimedCleanup(): void {
    // A slow store must not pile up overlapping cleanups: a tick is skipped while one runs.
    this.#timedCleanup ??= this.#cleanupOnce().finally(() => (this.#timedCleanup = undefined));
  }

  /** Never rejects: a failure is counted and kept instead of becoming an unhandled rejection. */
  async #cleanupOnce(): Promise<void> {
    let outcome: CleanupOutcome;
    try {
      outcome = { removed: await this.cleanupExpired() };
    } catch (error) {
      outcome = { error };
    }
    try {
      this.#options.onCleanup?.(outcome);
    } catch (error) {
      outcome = { error };
    }
    if ('error' in outcome) {
      this.#stats.cleanupErrors++;
      this.#lastCleanupError = outcome.error;
    }
  }
}
