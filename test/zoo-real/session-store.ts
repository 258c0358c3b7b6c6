// The real-store zoo's correct express-session store, a real subclass of express-session's Store
// (callback style, answering on a later turn as MemoryStore does), built from parts a zoo member
// replaces one at a time: the clock, when a session expires, which entry get serves, what get answers for a miss, what
// touch writes, what all/length list, and what close releases. Each member overrides one part,
// so its file shows just its bug.
import session from 'express-session';
import type { ExpressSessionModule } from '../../backends/contract.js';

type SessionData = session.SessionData;
type Callback = (err?: unknown, value?: unknown) => void;

/** A stored session: its JSON, and when it expires (from the cookie express-session hands over). */
export interface Entry {
  json: string;
  expiresAt: number | undefined;
}

/**
 * How often expired entries are pruned: a ref'd interval, so close must clear it. Far longer than
 * a scenario, so within one an expired entry lingers, as in stores that expire lazily.
 */
const PRUNE_EVERY_MS = 60_000;

export class ZooSessionStore extends session.Store {
  protected readonly entries = new Map<string, Entry>();
  protected readonly pruner: NodeJS.Timeout = setInterval(() => this.prune(), PRUNE_EVERY_MS);

  /** The store's clock. */
  protected now(): number {
    return Date.now();
  }

  protected isLive(entry: Entry): boolean {
    return entry.expiresAt === undefined || entry.expiresAt > this.now();
  }

  /** The entry when it is live; an expired one lingers until pruned, as in stores with lazy expiry. */
  protected live(sid: string): Entry | undefined {
    const entry = this.entries.get(sid);
    return entry !== undefined && this.isLive(entry) ? entry : undefined;
  }

  /** The entry get serves. */
  protected served(sid: string): Entry | undefined {
    return this.live(sid);
  }

  /** How get answers when it serves nothing. */
  protected answerMissing(callback: Callback): void {
    this.answer(callback, null, null);
  }

  /** What all and length count. */
  protected listed(): Entry[] {
    return [...this.entries.values()].filter((entry) => this.isLive(entry));
  }

  /** touch: a live session gets the request's cookie (its new expiry); its stored data stays. */
  protected refresh(sid: string, sess: SessionData): void {
    const entry = this.live(sid);
    if (entry === undefined) return;
    this.write(sid, { ...(JSON.parse(entry.json) as SessionData), cookie: sess.cookie });
  }

  /** When a session expires: its cookie's expires, as express-session sets it. */
  protected expiryOf(sess: SessionData): number | undefined {
    const expires = sess.cookie?.expires;
    return expires === undefined || expires === null ? undefined : new Date(expires).getTime();
  }

  protected write(sid: string, sess: SessionData): void {
    this.entries.set(sid, { json: JSON.stringify(sess), expiresAt: this.expiryOf(sess) });
  }

  protected answer(callback: Callback | undefined, err?: unknown, value?: unknown): void {
    if (callback !== undefined) setImmediate(callback, err, value);
  }

  protected prune(): void {
    for (const [sid, entry] of this.entries) if (!this.isLive(entry)) this.entries.delete(sid);
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    const entry = this.served(sid);
    if (entry === undefined) this.answerMissing(callback as Callback);
    else this.answer(callback as Callback, null, JSON.parse(entry.json));
  }

  override set(sid: string, sess: SessionData, callback?: (err?: unknown) => void): void {
    this.write(sid, sess);
    this.answer(callback);
  }

  override touch(sid: string, sess: SessionData, callback?: () => void): void {
    this.refresh(sid, sess);
    this.answer(callback);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.entries.delete(sid);
    this.answer(callback);
  }

  override all(callback: (err: unknown, obj?: SessionData[] | null) => void): void {
    this.answer(
      callback as Callback,
      null,
      this.listed().map((entry) => JSON.parse(entry.json) as SessionData),
    );
  }

  override length(callback: (err: unknown, length?: number) => void): void {
    this.answer(callback as Callback, null, this.listed().length);
  }

  override clear(callback?: (err?: unknown) => void): void {
    this.entries.clear();
    this.answer(callback);
  }

  /** Releases the store: stops the pruning interval. */
  close(): void {
    clearInterval(this.pruner);
  }
}

/** Expiry is checked on every read against the same clock: only timer turns separate it from the TTL. */
export const ZOO_TOLERANCE_MS = 25;

export function sessionStoreModule(
  name: string,
  description: string,
  Store: new () => ZooSessionStore,
): ExpressSessionModule {
  return {
    name,
    kind: 'express-session',
    description,
    capabilities: { persistent: false, shared: false, expiryToleranceMs: ZOO_TOLERANCE_MS },
    open: async () => new Store(),
    close: async (store) => (store as ZooSessionStore).close(),
  };
}

export default sessionStoreModule('zoo-session-store', 'the correct base of the express-session zoo', ZooSessionStore);
