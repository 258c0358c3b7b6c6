// LMDB reference backend (a DETS row): lmdb-js, one environment per directory.
//
// Three databases, every key prefixed by namespacePrefix(namespace) (see lmdb-keys.ts):
//   sessions  recordKey -> the JSON text of encodeSession (fetch reads only this, synchronously)
//   meta      recordKey -> [version, expiry], with an lmdb version used as a random write stamp
//   expiry    [prefix, expiry | Infinity, idKey] -> empty: list and cleanup read it by range
// Every write is a conditional write on the meta record's stamp (ifVersion / ifNoExists),
// checked by LMDB inside the commit under its writer lock, so it is atomic against every
// other writer in any process, and a stale read makes the write fail and retry instead of
// clobbering. (lmdb-js 3.5's asynchronous transaction() callbacks never run here on Node 20:
// the promise never settles and the process can't exit; conditional writes need no JS callback
// on the write thread.) lmdb-js keeps one read snapshot and renews it only now and then: a process
// that keeps writing went on reading another process's state from seconds before (stale reads
// the two-process history check caught; kriszyp/lmdb-js#250 is the same snapshot seen from
// threads). So fetch and list renew it first (resetReadTxn: a few µs) and read what is committed.
import { recordCodec, type RecordCodec } from './codec.js';
import type { BackendModule, Session, SessionBackend, StoreOptions } from './contract.js';
import { SessionError } from './errors.js';
import { expiresAt, isExpired } from './expiry.js';
import { idFromKey, idKey } from './id-keys.js';
import { Lifecycle } from './lifecycle.js';
import { acquireEnv, checkIntegrity, guardDamage, releaseEnv, type LmdbEnv } from './lmdb-env.js';
import {
  decodeMeta,
  encodeMeta,
  expiredRange,
  indexKey,
  liveRange,
  namespacePrefix,
  namespaceRange,
  recordKey,
  type IndexKey,
  type Meta,
} from './lmdb-keys.js';
import { booleanOption, durabilityOption, intOption } from './options.js';
import { checkTouchArguments, touchedRecord, touchedSession } from './touch.js';
import { checkId, checkNow, checkStoreOptions, DEFAULT_MAX_SESSION_BYTES } from './validate.js';

const EMPTY = Buffer.alloc(0);
/** What a write plan returns to re-read with a fresh snapshot before deciding. */
const REREAD = Symbol('reread');
/** A writer that keeps losing races this often is facing a store it can't make progress on. */
const MAX_WRITE_ATTEMPTS = 1000;
/** Generous: walking 100k sessions took 0.3 s here; past this, a stalled disk is the likelier cause. */
const DEFAULT_INTEGRITY_CHECK_TIMEOUT_MS = 60_000;

interface Current {
  stamp: number;
  /** undefined when the meta record is damaged. */
  meta: Meta | undefined;
}

/** Random in [1, 2): 52 random bits, so a stamp never comes back and ABA can't happen. */
function newStamp(): number {
  return 1 + Math.random();
}

class LmdbBackend implements SessionBackend {
  readonly #life = new Lifecycle('lmdb');

  constructor(
    private readonly env: LmdbEnv,
    private readonly envPath: string,
    private readonly prefix: string,
    private readonly maxBytes: number,
    /** durability 'full': wait until the commit is flushed to disk, not only visible. */
    private readonly flush: boolean,
    /** Sealed records by default (option `checksum`): LMDB has no page checksums. */
    private readonly codec: RecordCodec,
  ) {}

  async store(session: Session, options?: StoreOptions): Promise<void> {
    this.#life.assertOpen();
    const expected = checkStoreOptions(options);
    const text = this.codec.encode(session, this.maxBytes);
    const idk = idKey(session.id);
    const key = this.prefix + idk;
    const expiry = expiresAt(session);
    const meta = encodeMeta(session.version, expiry);
    let refreshed = false;
    await guardDamage(() =>
      this.#retry(key, (current) => {
        if (expected !== undefined) {
          const stored = current === undefined ? 0 : current.meta?.version; // undefined: damaged meta
          if (stored !== expected) {
            // Our read snapshot may predate another process's commit: look again before refusing.
            if (!refreshed) {
              refreshed = true;
              return REREAD;
            }
            if (stored === undefined && expected !== 0) {
              throw new SessionError('CORRUPT', 'stored session metadata is damaged; its version is unknown');
            }
            throw new SessionError('CONFLICT', `expected version ${expected}, stored ${stored ?? 'a damaged record'}`);
          }
        }
        const stale = this.#indexKeysOf(idk, current);
        return () => this.#putRecord(key, text, meta, stale, indexKey(this.prefix, expiry, idk));
      }),
    );
  }

  /**
   * One conditional write, as store's: the session read and the record written are checked
   * against the meta record's stamp inside LMDB's commit, so any write in between makes it retry.
   */
  async touch(id: string, lastAccessedAt: number, now: number): Promise<Session | undefined> {
    this.#life.assertOpen();
    checkTouchArguments(id, lastAccessedAt, now);
    const idk = idKey(id);
    const key = this.prefix + idk;
    let touched: Session | undefined;
    let refreshed = false;
    await guardDamage(() =>
      this.#retry(key, (current) => {
        const text = current === undefined ? undefined : this.env.sessions.get(key);
        const stored = text === undefined ? undefined : this.codec.decode(text, id);
        touched = undefined;
        if (text === undefined || stored === undefined || isExpired(expiresAt(stored), now)) {
          // Our read snapshot may predate another process's commit: look again before saying undefined.
          if (refreshed) return undefined;
          refreshed = true;
          return REREAD;
        }
        const next = touchedSession(stored, lastAccessedAt);
        const body = touchedRecord(this.codec, text, next, this.maxBytes);
        const expiry = expiresAt(next);
        const stale = this.#indexKeysOf(idk, current);
        touched = next;
        return () =>
          this.#putRecord(key, body, encodeMeta(next.version, expiry), stale, indexKey(this.prefix, expiry, idk));
      }),
    );
    return touched;
  }

  async fetch(id: string, now: number): Promise<Session | undefined> {
    this.#life.assertOpen();
    checkId(id);
    checkNow(now);
    return guardDamage(async () => {
      this.env.root.resetReadTxn();
      const text = this.env.sessions.get(recordKey(this.prefix, id));
      if (text === undefined) return undefined;
      const session = this.codec.decode(text, id);
      return isExpired(expiresAt(session), now) ? undefined : session;
    });
  }

  async delete(id: string): Promise<boolean> {
    this.#life.assertOpen();
    checkId(id);
    const idk = idKey(id);
    const key = this.prefix + idk;
    let deleted = false;
    let refreshed = false;
    await guardDamage(() =>
      this.#retry(key, (current) => {
        // Decided afresh on every attempt: a delete whose write lost the race to another delete deleted nothing.
        deleted = current !== undefined;
        if (current === undefined) {
          // Our read snapshot may predate another process's commit: look again before saying false.
          if (refreshed) return undefined;
          refreshed = true;
          return REREAD;
        }
        const stale = this.#indexKeysOf(idk, current);
        return () => this.#removeRecord(key, stale);
      }),
    );
    return deleted;
  }

  async list(now: number): Promise<string[]> {
    this.#life.assertOpen();
    checkNow(now);
    return guardDamage(async () => {
      this.env.root.resetReadTxn();
      const ids: string[] = [];
      for (const entry of this.env.expiry.getKeys(liveRange(this.prefix, now))) {
        // LMDB has no page checksums: an index key damaged on disk can still decode (to an id
        // never stored, or another expiry), so with checksums on an entry counts only when its
        // session's meta record agrees (index and meta change in one commit otherwise).
        // About 3.5 µs per id: a list of 10k sessions took 13 -> 48 ms here.
        if (this.codec.sealed && !this.#indexed(entry)) continue;
        ids.push(idFromKey(entry[2]));
      }
      return ids;
    });
  }

  async cleanupExpired(now: number): Promise<number> {
    this.#life.assertOpen();
    checkNow(now);
    return guardDamage(() => this.#cleanup(now));
  }

  async #cleanup(now: number): Promise<number> {
    // Reads only the expired end of the index; each removal is conditional on the stamp read
    // with it, so a session rewritten meanwhile (touched, say) survives and is not counted.
    // All conditional writes of this event turn commit in one LMDB transaction.
    const removals: Promise<boolean>[] = [];
    const strays: Promise<boolean>[] = []; // index entries whose session moved or went: dropped, not counted
    for (const entry of this.env.expiry.getKeys(expiredRange(this.prefix, now))) {
      const key = this.prefix + entry[2];
      const current = this.#read(key);
      const dropEntry = () => void this.env.expiry.remove(entry);
      if (current === undefined) {
        strays.push(this.env.meta.ifNoExists(key, dropEntry));
      } else if (current.meta !== undefined && (current.meta.expiry ?? Infinity) !== entry[1]) {
        strays.push(this.env.meta.ifVersion(key, current.stamp, dropEntry));
      } else {
        removals.push(this.env.meta.ifVersion(key, current.stamp, () => this.#removeRecord(key, [entry])));
      }
    }
    const [removed] = await Promise.all([Promise.all(removals), Promise.all(strays)]);
    if (this.flush) await this.env.root.flushed;
    return removed.filter(Boolean).length;
  }

  async close(): Promise<void> {
    if (this.#life.close()) await releaseEnv(this.envPath);
  }

  /** Whether the session an index entry names exists with that expiry; damaged meta is CORRUPT. */
  #indexed(entry: IndexKey): boolean {
    const current = this.#read(this.prefix + entry[2]);
    if (current === undefined) return false;
    if (current.meta === undefined) throw new SessionError('CORRUPT', 'stored session metadata is damaged');
    return (current.meta.expiry ?? Infinity) === entry[1];
  }

  #read(key: string): Current | undefined {
    const entry = this.env.meta.getEntry(key);
    if (entry === undefined) return undefined;
    return { stamp: entry.version ?? 0, meta: decodeMeta(entry.value) };
  }

  /** The index entries of a session: from its meta record, or by searching the namespace when that is damaged. */
  #indexKeysOf(idk: string, current: Current | undefined): IndexKey[] {
    if (current === undefined) return [];
    if (current.meta !== undefined) return [indexKey(this.prefix, current.meta.expiry, idk)];
    const found: IndexKey[] = [];
    for (const key of this.env.expiry.getKeys(namespaceRange(this.prefix))) if (key[2] === idk) found.push(key);
    return found;
  }

  /** The puts of a write, run by LMDB inside the commit once the stamp check passed. */
  #putRecord(key: string, text: string, meta: string, stale: IndexKey[], entry: IndexKey): void {
    void this.env.sessions.put(key, text);
    void this.env.meta.put(key, meta, newStamp());
    for (const old of stale) void this.env.expiry.remove(old);
    void this.env.expiry.put(entry, EMPTY);
  }

  #removeRecord(key: string, indexKeys: IndexKey[]): void {
    void this.env.sessions.remove(key);
    void this.env.meta.remove(key);
    for (const entry of indexKeys) void this.env.expiry.remove(entry);
  }

  /**
   * Reads the meta record, lets `plan` decide, and applies the writes it returns conditionally
   * on what was read; re-reads and retries when another writer got there first. `plan` returns
   * undefined when there is nothing to write, REREAD to re-read with a fresh snapshot.
   */
  async #retry(
    key: string,
    plan: (current: Current | undefined) => (() => void) | typeof REREAD | undefined,
  ): Promise<void> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const current = this.#read(key);
      const writes = plan(current);
      if (writes === undefined) return;
      if (writes !== REREAD) {
        const done =
          current === undefined
            ? await this.env.meta.ifNoExists(key, writes)
            : await this.env.meta.ifVersion(key, current.stamp, writes);
        if (done) {
          if (this.flush) await this.env.root.flushed;
          return;
        }
      }
      this.env.root.resetReadTxn();
    }
    throw new SessionError('UNAVAILABLE', `lmdb write to one session lost ${MAX_WRITE_ATTEMPTS} races in a row`);
  }
}

const lmdb: BackendModule = {
  name: 'lmdb',
  description:
    'lmdb-js, one memory-mapped environment per directory (like DETS, but transactional and shared between processes).',
  capabilities: { persistent: true, shared: true, maxSessionBytes: DEFAULT_MAX_SESSION_BYTES },
  async open(context) {
    const maxBytes = intOption(context.options, 'maxSessionBytes', DEFAULT_MAX_SESSION_BYTES);
    const durability = durabilityOption(context.options);
    const codec = recordCodec(context.options);
    // `integrityCheck: true` reads the whole environment in a child process before this process
    // first opens it (lmdb-js dies of SIGBUS on some damaged pages; see checkIntegrity). Measured
    // here from dist, 220-byte sessions: open 2 ms -> 0.26 s for one session (starting node and
    // lmdb-js), 0.38 s at 10k sessions, 0.57 s at 100k (a 74 MB file); under tsx, 0.45 s more.
    const integrityCheck = booleanOption(context.options, 'integrityCheck', false);
    const integrityCheckTimeoutMs = intOption(
      context.options,
      'integrityCheckTimeoutMs',
      DEFAULT_INTEGRITY_CHECK_TIMEOUT_MS,
    );
    if (integrityCheck) await checkIntegrity(context.dir, integrityCheckTimeoutMs);
    const { env, envPath } = acquireEnv(context.dir);
    return new LmdbBackend(env, envPath, namespacePrefix(context.namespace), maxBytes, durability === 'full', codec);
  },
};

export default lmdb;
