// One client's load on a few shared sessions, for histories the linearizability checker reads: a
// seeded mix of fetches, compare-and-set updates (fetch, then store at version + 1 if still at the
// version read; CONFLICT is expected), touches and deletes (a missing session is created again by
// compare-and-set from 0). Run it through recordHistory, several clients at once.
import { setImmediate as turn } from 'node:timers/promises';
import type { Session, SessionBackend } from '../../backends/contract.js';
import { errorCode } from '../../backends/errors.js';
import { mulberry32 } from '../random.js';
import { randomInt } from './random.js';

export interface HistoryLoadOptions {
  /** Names this client's writes in the metadata, so every write's session differs from every other's. */
  client: string;
  ids: readonly string[];
  ops: number;
  seed: number;
  /** The `now` of every call; sessions never expire (timeoutMs null), so it only has to be valid. */
  now?: number;
  /** Stop early at this Date.now(). */
  deadline?: number;
}

const NOW = 1_000_000;

export async function runHistoryLoad(backend: SessionBackend, options: HistoryLoadOptions): Promise<void> {
  const random = mulberry32(options.seed);
  const now = options.now ?? NOW;
  for (let n = 1; n <= options.ops && Date.now() < (options.deadline ?? Infinity); n++) {
    const id = options.ids[randomInt(random, 0, options.ids.length - 1)]!;
    const r = random();
    try {
      if (r < 0.4) await backend.fetch(id, now);
      else if (r < 0.75) await update(backend, id, now, { [options.client]: n });
      else if (r < 0.93 && backend.touch !== undefined) await backend.touch(id, now + n, now);
      else await backend.delete(id);
    } catch (err) {
      if (errorCode(err) !== 'CONFLICT') throw err;
    }
    // Let the other clients of this process in between: their calls overlap this one's.
    for (let yields = randomInt(random, 0, 2); yields > 0; yields--) await turn();
  }
}

async function update(backend: SessionBackend, id: string, now: number, metadata: Session['metadata']): Promise<void> {
  const current = await backend.fetch(id, now);
  const next: Session =
    current === undefined
      ? { id, createdAt: now, lastAccessedAt: now, timeoutMs: null, version: 1, metadata }
      : { ...current, version: current.version + 1, metadata: { ...current.metadata, ...metadata } };
  await backend.store(next, { expectedVersion: current?.version ?? 0 });
}
