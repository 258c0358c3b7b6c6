// A real SQLite delete written with LIKE (as a pattern-matched destroy, or a Redis SCAN MATCH on an
// unescaped id, is): "%" and "_" in an id are wildcards and ASCII case is ignored, so deleting one
// session deletes others.
import { SqliteTable, zooModule } from './base.js';

class LikeDelete extends SqliteTable {
  override delete(key: string): boolean {
    // BUG: LIKE where = was meant.
    return this.db.prepare(`DELETE FROM ${this.name} WHERE ns = ? AND key LIKE ?`).run(this.namespace, key).changes > 0;
  }
}

export default zooModule({
  name: 'sqlite-delete-like',
  description: 'a real SQLite delete matching the key with LIKE: deleting "a%" or "A" also deletes "ab" and "a"',
  table: (context) => new LikeDelete(context),
  capabilities: { persistent: true, shared: true },
});
