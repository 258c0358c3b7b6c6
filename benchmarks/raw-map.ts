// The raw row under the memory backend: a Map of session objects, copied in and out with
// structuredClone (the copy the contract demands, done the obvious way).
import type { Session } from '../backends/contract.js';
import type { RawDriver } from './raw-driver.js';

class RawMap implements RawDriver {
  readonly #map = new Map<string, Session>();

  async insert(session: Session): Promise<void> {
    this.#map.set(session.id, structuredClone(session));
  }

  async get(id: string): Promise<Session | undefined> {
    const session = this.#map.get(id);
    return session === undefined ? undefined : structuredClone(session);
  }

  async put(session: Session): Promise<void> {
    this.#map.set(session.id, structuredClone(session));
  }

  async remove(id: string): Promise<boolean> {
    return this.#map.delete(id);
  }

  async loadAll(sessions: Iterable<Session>): Promise<void> {
    // Freshly generated objects nobody else holds: no copy needed.
    for (const session of sessions) this.#map.set(session.id, session);
  }

  async close(): Promise<void> {
    this.#map.clear();
  }
}

export async function openRawDriver(): Promise<RawDriver> {
  return new RawMap();
}
