// The raw row under the lmdb backend: lmdb-js get/put on the backend's own layout (lmdb-keys.ts,
// lmdb-env.ts): a store puts the session text, its meta record and its expiry-index entry,
// unconditionally, in one batched commit; a fetch is one synchronous get and a JSON.parse.
import type { OpenContext, Session } from '../backends/contract.js';
import { expiresAt } from '../backends/expiry.js';
import { idKey } from '../backends/id-keys.js';
import { acquireEnv, releaseEnv, type LmdbEnv } from '../backends/lmdb-env.js';
import {
  decodeMeta,
  encodeMeta,
  expiredRange,
  indexKey,
  liveRange,
  namespacePrefix,
  recordKey,
} from '../backends/lmdb-keys.js';
import { durabilityOption } from '../backends/options.js';
import type { RawDriver } from './raw-driver.js';

const EMPTY = Buffer.alloc(0);
/** Puts per awaited batch while prefilling, so a million sessions don't queue a million promises. */
const LOAD_CHUNK = 10_000;

class RawLmdb implements RawDriver {
  constructor(
    private readonly env: LmdbEnv,
    private readonly envPath: string,
    private readonly prefix: string,
    private readonly flush: boolean,
  ) {}

  insert(session: Session): Promise<void> {
    return this.put(session);
  }

  async get(id: string): Promise<Session | undefined> {
    const text = this.env.sessions.get(recordKey(this.prefix, id));
    return text === undefined ? undefined : (JSON.parse(text) as Session);
  }

  async put(session: Session): Promise<void> {
    await this.#write(session);
    if (this.flush) await this.env.root.flushed;
  }

  async remove(id: string): Promise<boolean> {
    const idk = idKey(id);
    const key = this.prefix + idk;
    const meta = decodeMeta(this.env.meta.get(key));
    if (meta === undefined) return false;
    void this.env.sessions.remove(key);
    void this.env.meta.remove(key);
    await this.env.expiry.remove(indexKey(this.prefix, meta.expiry, idk));
    if (this.flush) await this.env.root.flushed;
    return true;
  }

  async loadAll(sessions: Iterable<Session>): Promise<void> {
    let last: Promise<boolean> | undefined;
    let queued = 0;
    for (const session of sessions) {
      last = this.#write(session);
      if (++queued % LOAD_CHUNK === 0) await last;
    }
    await last;
  }

  async listLive(now: number): Promise<string[]> {
    const ids: string[] = [];
    for (const key of this.env.expiry.getKeys(liveRange(this.prefix, now))) ids.push(JSON.parse(key[2]) as string);
    return ids;
  }

  async removeExpired(now: number): Promise<number> {
    let last: Promise<boolean> | undefined;
    let removed = 0;
    for (const entry of this.env.expiry.getKeys(expiredRange(this.prefix, now))) {
      const key = this.prefix + entry[2];
      void this.env.sessions.remove(key);
      void this.env.meta.remove(key);
      last = this.env.expiry.remove(entry);
      removed++;
    }
    await last;
    if (this.flush) await this.env.root.flushed;
    return removed;
  }

  async close(): Promise<void> {
    await releaseEnv(this.envPath);
  }

  /** The three puts of a store; lmdb-js commits them in one batch, the last promise resolving with it. */
  #write(session: Session): Promise<boolean> {
    const idk = idKey(session.id);
    const key = this.prefix + idk;
    const expiry = expiresAt(session);
    void this.env.sessions.put(key, JSON.stringify(session));
    void this.env.meta.put(key, encodeMeta(session.version, expiry));
    return this.env.expiry.put(indexKey(this.prefix, expiry, idk), EMPTY);
  }
}

export async function openRawDriver(context: OpenContext): Promise<RawDriver> {
  const { env, envPath } = acquireEnv(context.dir);
  return new RawLmdb(env, envPath, namespacePrefix(context.namespace), durabilityOption(context.options) === 'full');
}
