// A store that snapshots its Map to a JSON file on close, with a replacer array to keep only the
// session fields: JSON.stringify applies that whitelist at every depth, so metadata keys vanish.
// Nothing shows while it stays open; a reopen finds the metadata emptied.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenContext, Session } from '../../backends/contract.js';
import { MemoryTable, zooModule } from './base.js';

const FIELDS: (keyof Session)[] = ['id', 'createdAt', 'lastAccessedAt', 'timeoutMs', 'version', 'metadata'];

class JsonSnapshotTable extends MemoryTable {
  readonly #file: string;

  constructor(context: OpenContext) {
    super();
    this.#file = join(context.dir, `${encodeURIComponent(context.namespace)}.json`);
    if (existsSync(this.#file)) {
      for (const [key, session] of JSON.parse(readFileSync(this.#file, 'utf8')) as [string, Session][])
        this.rows.set(key, session);
    }
  }

  override close(): void {
    writeFileSync(this.#file, JSON.stringify(this.entries(), FIELDS)); // BUG: the whitelist applies inside metadata too.
    super.close();
  }
}

export default zooModule({
  name: 'snapshot-field-whitelist',
  description: 'a JSON-file snapshot written with a field whitelist: after a reopen, metadata keys are gone',
  table: (context) => new JsonSnapshotTable(context),
  capabilities: { persistent: true, shared: false },
});
