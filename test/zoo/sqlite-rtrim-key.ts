// The key column declared COLLATE RTRIM (MySQL's PAD SPACE collations behave alike): trailing
// spaces are ignored in comparisons, so "a" and "a " address one row.
import { RawIdKeys, SqliteTable, zooModule } from './base.js';

export default zooModule({
  name: 'sqlite-rtrim-key',
  description: 'a real SQLite table whose key column is COLLATE RTRIM: ids differing in trailing spaces collide',
  backend: RawIdKeys,
  table: (context) => new SqliteTable(context, { keyCollation: 'RTRIM' }), // BUG: the collation.
  capabilities: { persistent: true, shared: true },
});
