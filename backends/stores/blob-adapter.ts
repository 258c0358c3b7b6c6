// A real store (an express-session Store or a Keyv instance) judged as a blob store: the whole
// Session is the store's value, and the contract's explicit `now` decides expiry here, not the
// store. The store is given a TTL of a day on every write, so that its own wall-clock expiry
// never removes a session the suite's virtual clock still holds live, yet every key it is handed
// ends by itself if a run dies before its wipe. The store's own TTL, touch and listing are judged
// on the wall clock by the real-store scenarios instead.
//
// What the adapter cannot promise, it declares: no compare-and-set (store() with expectedVersion
// reads, checks and writes in three steps, NOT atomically, so the CAS properties are not
// applicable and the report says that concurrent updates can overwrite each other), no size
// limit of its own, and no contract touch (the store's touch is not "live at now", so the touch
// properties are skipped rather than failed on an emulation).
import { decodeSession, encodeSession } from '../codec.js';
import type { BackendModule, Json, Session, SessionBackend, StoreOptions, RealStoreModule } from '../contract.js';
import { SessionError } from '../errors.js';
import { expiresAt, isExpired } from '../expiry.js';
import { Lifecycle } from '../lifecycle.js';
import { checkId, checkNow, checkStoreOptions } from '../validate.js';
import { IdIndex } from './id-index.js';
import { type CallOutcome, openRealStore, type RealStore, type SessionData } from './real-store.js';

/** The store's own TTL for every key: far beyond any run, short enough to end by itself. */
export const STORE_TTL_MS = 24 * 60 * 60 * 1000;

/** The one field of the store's value: the Session, as a plain JSON object (its own serializer stores it). */
const FIELD = 'session';

/** A callback called twice is the store's defect; it fails the next call, so a run cannot miss it. */
export class RepeatedCallbackError extends Error {
  override name = 'RepeatedCallbackError';
}

/** Turns RealStore outcomes into values or the contract's errors, and surfaces repeated callbacks. */
class StoreCalls {
  #repeatsReported = 0;

  constructor(readonly real: RealStore) {}

  /** The call's value; a timeout or a store error is UNAVAILABLE, a repeated callback fails the call. */
  async run<T>(method: string, call: () => Promise<CallOutcome<T>>): Promise<T> {
    const outcome = await call();
    const repeats = this.real.extraCallbacks;
    if (repeats.length > this.#repeatsReported) {
      this.#repeatsReported = repeats.length;
      throw new RepeatedCallbackError(`${this.real.name} called a callback more than once: ${repeats.join('; ')}`);
    }
    if (outcome.status === 'ok') return outcome.value;
    if (outcome.status === 'timeout') {
      throw new SessionError(
        'UNAVAILABLE',
        `${this.real.name}: ${method} did not answer within ${Math.round(outcome.ms)} ms`,
      );
    }
    const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    throw new SessionError('UNAVAILABLE', `${this.real.name}: ${method} failed: ${message}`, { cause: outcome.error });
  }

  get(key: string): Promise<SessionData | undefined> {
    return this.run('get', () => this.real.get(key));
  }

  set(key: string, data: SessionData): Promise<void> {
    return this.run('set', () => this.real.set(key, data, STORE_TTL_MS));
  }

  destroy(key: string): Promise<void> {
    return this.run('destroy', () => this.real.destroy(key));
  }
}

class BlobBackend implements SessionBackend {
  readonly #life: Lifecycle;

  constructor(
    private readonly calls: StoreCalls,
    private readonly index: IdIndex | undefined,
  ) {
    this.#life = new Lifecycle(calls.real.name);
  }

  async store(session: Session, options?: StoreOptions): Promise<void> {
    this.#life.assertOpen();
    const expected = checkStoreOptions(options);
    // A validated snapshot: nothing the caller mutates afterwards reaches the store. No size limit of its own.
    const snapshot = JSON.parse(encodeSession(session, Number.POSITIVE_INFINITY)) as Session & Json;
    if (expected !== undefined) {
      // Read, check, write: another writer may come in between (the store has no compare-and-set).
      const stored = (await this.#read(snapshot.id))?.version ?? 0;
      if (stored !== expected) throw new SessionError('CONFLICT', `expected version ${expected}, stored ${stored}`);
    }
    await this.calls.set(snapshot.id, { [FIELD]: snapshot });
    await this.index?.add(snapshot.id);
  }

  async fetch(id: string, now: number): Promise<Session | undefined> {
    this.#life.assertOpen();
    checkId(id);
    checkNow(now);
    const session = await this.#read(id);
    return session === undefined || isExpired(expiresAt(session), now) ? undefined : session;
  }

  /** Reads, then destroys: a store's destroy does not say whether something was there. */
  async delete(id: string): Promise<boolean> {
    this.#life.assertOpen();
    checkId(id);
    const existed = (await this.calls.get(id)) !== undefined;
    await this.calls.destroy(id);
    await this.index?.remove([id]);
    return existed;
  }

  async list(now: number): Promise<string[]> {
    this.#life.assertOpen();
    checkNow(now);
    return (await this.#sessions()).filter((s) => !isExpired(expiresAt(s), now)).map((s) => s.id);
  }

  /** Reads every session, then destroys those expired at `now`: one re-stored in between is destroyed all the same. */
  async cleanupExpired(now: number): Promise<number> {
    this.#life.assertOpen();
    checkNow(now);
    const expired = (await this.#sessions()).filter((s) => isExpired(expiresAt(s), now)).map((s) => s.id);
    for (const id of expired) await this.calls.destroy(id);
    await this.index?.remove(expired);
    return expired.length;
  }

  async close(): Promise<void> {
    if (!this.#life.close()) return;
    await this.calls.run('close', () => this.calls.real.close());
  }

  async #read(id: string): Promise<Session | undefined> {
    const data = await this.calls.get(id);
    return data === undefined ? undefined : decode(data, id);
  }

  /** Every session the store holds: from its own listing (all, Keyv's iterator), else through the id index. */
  async #sessions(): Promise<Session[]> {
    if (this.index === undefined) {
      return (await this.calls.run('all', () => this.calls.real.all())).map((data) => decode(data));
    }
    const sessions: Session[] = [];
    for (const id of await this.index.ids()) {
      const session = await this.#read(id);
      if (session !== undefined) sessions.push(session);
    }
    return sessions;
  }
}

/** The Session in a store's value (a fresh copy); anything else there is CORRUPT. */
function decode(data: SessionData, expectedId?: string): Session {
  const value = typeof data === 'object' && data !== null ? data[FIELD] : undefined;
  if (typeof value !== 'object' || value === null) {
    throw new SessionError('CORRUPT', `stored value has no ${FIELD} object`);
  }
  return decodeSession(JSON.stringify(value), expectedId);
}

/** The contract's face of a real store module, for the invariant suite and the benchmark. */
export function blobBackend(store: RealStoreModule, options: { callTimeoutMs?: number } = {}): BackendModule {
  return {
    name: store.name,
    ...(store.description === undefined ? {} : { description: store.description }),
    capabilities: {
      persistent: store.capabilities.persistent,
      shared: store.capabilities.shared,
      compareAndSet: false,
    },
    async open(context) {
      const calls = new StoreCalls(await openRealStore(store, context, options));
      if (calls.real.has.all) return new BlobBackend(calls, undefined);
      try {
        return new BlobBackend(
          calls,
          await IdIndex.open({ read: (key) => calls.get(key), write: (key, data) => calls.set(key, data) }),
        );
      } catch (error) {
        await calls.real.close();
        throw error;
      }
    },
  };
}
