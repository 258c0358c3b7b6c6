// The key column declared COLLATE NOCASE (or a case-insensitive MySQL collation, alexedwards/scs#226):
// ids that differ only in ASCII case address one row.
import { RawIdKeys, SqliteTable, zooModule } from './base.js';

export default zooModule({
  name: 'sqlite-nocase-key',
  description: 'a real SQLite table whose key column is COLLATE NOCASE: "Ab" and "aB" are one session',
  backend: RawIdKeys,
  table: (context) => new SqliteTable(context, { keyCollation: 'NOCASE' }), // BUG: the collation.
  capabilities: { persistent: true, shared: true },
});
