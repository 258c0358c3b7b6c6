// How an id becomes a key in a store that keeps keys as UTF-8 (SQLite, LMDB, Redis), and back.
import { SessionError } from './errors.js';

/**
 * A key for an id that survives UTF-8 stores: JSON escapes lone surrogates, which would
 * otherwise all collapse into U+FFFD and let two ids address one record. Injective.
 */
export function idKey(id: string): string {
  return JSON.stringify(id);
}

/** The id an idKey was made from; anything else is damage. */
export function idFromKey(idk: unknown): string {
  try {
    const id: unknown = typeof idk === 'string' ? JSON.parse(idk) : undefined;
    if (typeof id === 'string') return id;
  } catch {
    // fall through: not JSON
  }
  throw new SessionError('CORRUPT', `stored key ${JSON.stringify(idk)} is not a session id`);
}
