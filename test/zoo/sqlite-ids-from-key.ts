// A real SQLite table keyed by the raw id as TEXT, whose list() reads ids back from the key column:
// SQLite can't hand a lone surrogate back, so such an id is listed as U+FFFD characters.
import { onSqlite, RawIdKeys, zooModule } from './base.js';

class IdsFromKeyColumn extends RawIdKeys {
  override async list(now: number): Promise<string[]> {
    const live = new Set(await super.list(now));
    // BUG: the key column is not the id: it lost what UTF-8 can't carry.
    return this.table
      .entries()
      .filter(([, s]) => live.has(s.id))
      .map(([key]) => key);
  }
}

export default zooModule({
  name: 'sqlite-ids-from-key',
  description: 'a real SQLite TEXT key of the raw id, listed from the key column: lone surrogates come back as U+FFFD',
  backend: IdsFromKeyColumn,
  ...onSqlite,
});
