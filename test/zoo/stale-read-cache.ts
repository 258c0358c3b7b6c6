// A per-instance read cache in front of a shared SQLite file, invalidated only by this instance's
// own writes: another instance's updates and deletes stay invisible (openclaw#10331: stale cache).
import type { Session } from '../../backends/contract.js';
import { SqliteTable, zooModule } from './base.js';

class ReadCacheTable extends SqliteTable {
  readonly #cache = new Map<string, Session | undefined>();

  override get(key: string): Session | undefined {
    if (!this.#cache.has(key)) this.#cache.set(key, super.get(key)); // BUG: never invalidated by other writers.
    return this.#cache.get(key);
  }

  override set(key: string, session: Session): void {
    super.set(key, session);
    this.#cache.set(key, session);
  }

  override delete(key: string): boolean {
    this.#cache.delete(key);
    return super.delete(key);
  }
}

export default zooModule({
  name: 'stale-read-cache',
  description: "a per-instance read cache over a shared SQLite file: another instance's writes and deletes stay unseen",
  table: (context) => new ReadCacheTable(context),
  capabilities: { persistent: true, shared: true },
});
