// The ids a store holds, for a store that cannot list its own (connect-pg-simple has no all; a
// Keyv storage adapter may have no iterator), kept in the store itself. It is NOT atomic with
// the sessions it lists: a session is written, then its id. So that two instances never edit one
// value, each adapter instance keeps its own list under a key of its own (written whole from
// memory, coalesced), and a directory key names every instance's list; only the directory is
// read, edited and written back, once per open, and a second open at the very same moment can
// still drop the first from it (then list and cleanupExpired miss that instance's sessions).
// The index over-approximates: every listed id is read back before it is reported, so an entry
// left behind for a session deleted through another instance is harmless.
import { randomBytes } from 'node:crypto';
import type { SessionData } from './real-store.js';

/**
 * Session ids are at most 256 characters (DESIGN), so a key of 257 or more can never be one: the
 * index shares the store with the sessions without a prefix that would change the sessions' keys.
 */
const DIRECTORY_KEY = `sessionbench-id-index${'.'.repeat(257 - 'sessionbench-id-index'.length)}`;

/** How the index reaches the store: bounded calls that throw the adapter's errors. */
export interface IndexStorage {
  read(key: string): Promise<SessionData | undefined>;
  write(key: string, data: SessionData): Promise<void>;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export class IdIndex {
  readonly #own = new Set<string>();
  readonly #key = `${DIRECTORY_KEY}:${randomBytes(8).toString('hex')}`;
  /** The write that will carry changes made now; undefined once it has started. */
  #scheduled: Promise<void> | undefined;
  #tail: Promise<void> = Promise.resolve();

  private constructor(private readonly storage: IndexStorage) {}

  /** Adds this instance's list to the directory (read, edit, write back: see above). */
  static async open(storage: IndexStorage): Promise<IdIndex> {
    const index = new IdIndex(storage);
    const lists = stringsOf((await storage.read(DIRECTORY_KEY))?.lists);
    await storage.write(DIRECTORY_KEY, { lists: [...lists, index.#key] });
    return index;
  }

  /** Every id any instance listed (some perhaps deleted since). */
  async ids(): Promise<string[]> {
    const lists = stringsOf((await this.storage.read(DIRECTORY_KEY))?.lists).filter((key) => key !== this.#key);
    const ids = new Set(this.#own);
    for (const key of lists) for (const id of stringsOf((await this.storage.read(key))?.ids)) ids.add(id);
    return [...ids];
  }

  add(id: string): Promise<void> {
    if (this.#own.has(id)) return this.#scheduled ?? Promise.resolve();
    this.#own.add(id);
    return this.#write();
  }

  remove(ids: readonly string[]): Promise<void> {
    const before = this.#own.size;
    for (const id of ids) this.#own.delete(id);
    return this.#own.size === before ? Promise.resolve() : this.#write();
  }

  /** Writes this instance's list once the write before it is done; changes made meanwhile share one write. */
  #write(): Promise<void> {
    if (this.#scheduled === undefined) {
      const write = this.#tail
        .catch(() => undefined)
        .then(() => {
          this.#scheduled = undefined;
          return this.storage.write(this.#key, { ids: [...this.#own] });
        });
      this.#scheduled = write;
      this.#tail = write;
    }
    return this.#scheduled;
  }
}
