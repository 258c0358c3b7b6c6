// In-memory reference backend (the ETS row): a Map of JSON snapshots. Storing text, not
// objects, is what makes copies in and out cheap and aliasing impossible.
import { encodeSession, recordCodec } from './codec.js';
import type { BackendModule, Session, SessionBackend, StoreOptions } from './contract.js';
import { SessionError } from './errors.js';
import { expiresAt, isExpired } from './expiry.js';
import { ExpiryHeap } from './expiry-heap.js';
import { Lifecycle } from './lifecycle.js';
import { intOption } from './options.js';
import { checkTouchArguments, touchedRecord, touchedSession } from './touch.js';
import { checkId, checkNow, checkStoreOptions, DEFAULT_MAX_SESSION_BYTES } from './validate.js';

/** Rows hold encodeSession's plain JSON. */
const PLAIN_JSON = recordCodec({ checksum: false });

interface Row {
  text: string;
  version: number;
  expiry: number | null;
}

class MemoryBackend implements SessionBackend {
  readonly #rows = new Map<string, Row>();
  readonly #heap = new ExpiryHeap();
  readonly #life = new Lifecycle('memory');

  constructor(private readonly maxBytes: number) {}

  async store(session: Session, options?: StoreOptions): Promise<void> {
    this.#life.assertOpen();
    const expected = checkStoreOptions(options);
    const text = encodeSession(session, this.maxBytes);
    const current = this.#rows.get(session.id);
    if (expected !== undefined && (current?.version ?? 0) !== expected) {
      throw new SessionError('CONFLICT', `expected version ${expected}, stored ${current?.version ?? 0}`);
    }
    this.#write(session, text, current);
  }

  /** Read, check and write with no await between them: one step, like every write here. */
  async touch(id: string, lastAccessedAt: number, now: number): Promise<Session | undefined> {
    this.#life.assertOpen();
    checkTouchArguments(id, lastAccessedAt, now);
    const row = this.#rows.get(id);
    if (row === undefined || isExpired(row.expiry, now)) return undefined;
    const next = touchedSession(JSON.parse(row.text) as Session, lastAccessedAt);
    this.#write(next, touchedRecord(PLAIN_JSON, row.text, next, this.maxBytes), row);
    return next;
  }

  async fetch(id: string, now: number): Promise<Session | undefined> {
    this.#life.assertOpen();
    checkId(id);
    checkNow(now);
    const row = this.#rows.get(id);
    if (row === undefined || isExpired(row.expiry, now)) return undefined;
    return JSON.parse(row.text) as Session;
  }

  async delete(id: string): Promise<boolean> {
    this.#life.assertOpen();
    checkId(id);
    return this.#rows.delete(id);
  }

  async list(now: number): Promise<string[]> {
    this.#life.assertOpen();
    checkNow(now);
    const ids: string[] = [];
    for (const [id, row] of this.#rows) if (!isExpired(row.expiry, now)) ids.push(id);
    return ids;
  }

  async cleanupExpired(now: number): Promise<number> {
    this.#life.assertOpen();
    checkNow(now);
    let removed = 0;
    for (let top = this.#heap.peek(); top !== undefined && top.expiry <= now; top = this.#heap.peek()) {
      this.#heap.pop();
      const row = this.#rows.get(top.id);
      // Stale entries (rewritten or deleted since) are skipped; the live one is elsewhere in the heap.
      if (row !== undefined && row.expiry === top.expiry) {
        this.#rows.delete(top.id);
        removed++;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    if (this.#life.close()) this.#rows.clear();
  }

  #write(session: Session, text: string, current: Row | undefined): void {
    const expiry = expiresAt(session);
    this.#rows.set(session.id, { text, version: session.version, expiry });
    if (expiry !== null && expiry !== current?.expiry) this.#pushExpiry(expiry, session.id);
  }

  #pushExpiry(expiry: number, id: string): void {
    this.#heap.push({ expiry, id });
    // Touches leave stale entries behind; compact once they outnumber the live rows.
    if (this.#heap.size > 2 * this.#rows.size + 1024) {
      this.#heap.rebuild((e) => this.#rows.get(e.id)?.expiry === e.expiry);
    }
  }
}

const memory: BackendModule = {
  name: 'memory',
  description: 'A Map of JSON snapshots in this process (like ETS): fastest, gone with the process.',
  capabilities: { persistent: false, shared: false, maxSessionBytes: DEFAULT_MAX_SESSION_BYTES },
  async open(context) {
    return new MemoryBackend(intOption(context.options, 'maxSessionBytes', DEFAULT_MAX_SESSION_BYTES));
  },
};

export default memory;
