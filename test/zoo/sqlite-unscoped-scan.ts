// The scan behind list and cleanup forgets `WHERE ns = ?`: every namespace sharing the file shows
// up in list, and cleanup counts (and removes, under this namespace) a neighbour's expired sessions.
import type { Session } from '../../backends/contract.js';
import { SqliteTable, zooModule } from './base.js';

class UnscopedScanTable extends SqliteTable {
  override entries(): [string, Session][] {
    const rows = this.db.prepare(`SELECT key, body FROM ${this.name}`).all() as { key: string; body: string }[]; // BUG: no namespace.
    return rows.map((row) => [row.key, JSON.parse(row.body) as Session]);
  }
}

export default zooModule({
  name: 'sqlite-unscoped-scan',
  description: "list and cleanup scan the whole SQLite table, not just the instance's namespace",
  table: (context) => new UnscopedScanTable(context),
  capabilities: { persistent: true, shared: true },
});
