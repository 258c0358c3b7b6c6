// A real SQLite table queried with LIKE where = was meant (as a pattern-matched destroy, or a Redis
// SCAN MATCH on an unescaped id, is): "%" and "_" in an id are wildcards and ASCII case is
// ignored, so a read finds another session and a delete removes others.
import type { Session } from '../../backends/contract.js';
import { SqliteTable, zooModule } from './base.js';

class LikeMatch extends SqliteTable {
  override get(key: string): Session | undefined {
    const row = this.db
      .prepare(`SELECT body FROM ${this.name} WHERE ns = ? AND key LIKE ?`)
      .get(this.namespace, key) as { body: string } | undefined; // BUG
    return row === undefined ? undefined : (JSON.parse(row.body) as Session);
  }

  override delete(key: string): boolean {
    return this.db.prepare(`DELETE FROM ${this.name} WHERE ns = ? AND key LIKE ?`).run(this.namespace, key).changes > 0; // BUG
  }
}

export default zooModule({
  name: 'sqlite-like-match',
  description: 'a real SQLite table read and deleted with LIKE: "a%" or "A" also finds and deletes "ab" and "a"',
  table: (context) => new LikeMatch(context),
  capabilities: { persistent: true, shared: true },
});
