// Write-behind: store() is acknowledged once the session is in a memory buffer, and the buffer
// reaches the SQLite file only when FLUSH_EVERY sessions are waiting (or on close). Every read
// sees the buffer, so one process notices nothing; a crash loses up to FLUSH_EVERY acknowledged
// writes. It ignores the `durability` option, as a plug-in may. Loaded by path in the crash child.
import type { OpenContext, Session } from '../../backends/contract.js';
import { SqliteTable, zooModule } from '../zoo/base.js';

const FLUSH_EVERY = 8;

class WriteBehindTable extends SqliteTable {
  readonly #pending = new Map<string, Session>();

  override get(key: string): Session | undefined {
    return this.#pending.get(key) ?? super.get(key);
  }

  override set(key: string, session: Session): void {
    this.#pending.set(key, session); // BUG: acknowledged before it is written.
    if (this.#pending.size >= FLUSH_EVERY) this.#flush();
  }

  override delete(key: string): boolean {
    const buffered = this.#pending.delete(key);
    return super.delete(key) || buffered;
  }

  override entries(): [string, Session][] {
    this.#flush();
    return super.entries();
  }

  override close(): void {
    this.#flush();
    super.close();
  }

  #flush(): void {
    this.atomic(() => {
      for (const [key, session] of this.#pending) super.set(key, session);
    });
    this.#pending.clear();
  }
}

export default zooModule({
  name: 'write-behind',
  description: `store() is acknowledged from a memory buffer written to SQLite every ${FLUSH_EVERY} sessions: a crash loses the buffer`,
  table: (context: OpenContext) => new WriteBehindTable(context),
  capabilities: { persistent: true, shared: false },
});
