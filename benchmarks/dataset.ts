// The sessions a benchmark prefills and creates: deterministic per index, so the backend and
// its raw driver hold the same data, and two runs with one seed hold the same data too.
import type { Json, Session } from '../backends/contract.js';
import { hexString, mulberry32 } from './random.js';

/** The benchmark's virtual clock: time reaches a backend only as an explicit `now`. */
export const T0 = 1_700_000_000_000;
/** Every operation runs at this `now`: prefilled sessions are live, cleanup's victims expired. */
export const BENCH_NOW = T0 + 1000;
/** Idle timeout of prefilled and created sessions: far beyond BENCH_NOW. */
export const SESSION_TIMEOUT_MS = 30 * 60 * 1000;
/** Sessions made to be removed by cleanupExpired expire 1 ms after T0, long before BENCH_NOW. */
export const EXPIRED_TIMEOUT_MS = 1;

type Metadata = Session['metadata'];

/** Web-session-like metadata of about `bytes` bytes of JSON: identity, a cart, and padding. */
export function makeMetadata(random: () => number, bytes: number): Metadata {
  const cart: Json[] = [];
  const metadata: Metadata = {
    userId: `u${Math.floor(random() * 1e9)}`,
    roles: ['user'],
    locale: 'en-GB',
    csrf: hexString(random, 32),
    cart,
  };
  let size = JSON.stringify(metadata).length;
  // A cart item is about 45 bytes; the rest is made up by the note.
  while (size + 60 < bytes) {
    const item = {
      sku: hexString(random, 8),
      qty: 1 + Math.floor(random() * 5),
      price: Math.floor(random() * 10000) / 100,
    };
    cart.push(item);
    size += JSON.stringify(item).length + 1;
  }
  const noteOverhead = ',"note":""'.length;
  metadata.note = hexString(random, Math.max(0, bytes - size - noteOverhead));
  return metadata;
}

export class Dataset {
  /** Created sessions take indices from here on, so they never collide with prefilled ones. */
  readonly #ids: string[] = [];

  constructor(
    readonly size: number,
    readonly payloadBytes: number,
    readonly seed: number,
  ) {}

  /** The id of session `index`: 24 random hex digits then the index, so ids are unique by construction. */
  id(index: number): string {
    if (index < this.size) {
      while (this.#ids.length <= index) this.#ids.push(this.#makeId(this.#ids.length));
      return this.#ids[index]!;
    }
    return this.#makeId(index);
  }

  /** Session `index`, live at BENCH_NOW; `timeoutMs` overrides the idle timeout (to make expired ones). */
  session(index: number, timeoutMs = SESSION_TIMEOUT_MS): Session {
    const random = this.#random(index, 1);
    return {
      id: this.id(index),
      createdAt: T0 - Math.floor(random() * 60_000),
      lastAccessedAt: T0,
      timeoutMs,
      version: 1,
      metadata: makeMetadata(random, this.payloadBytes),
    };
  }

  /** An id that was never stored (fetch-miss). */
  missingId(index: number): string {
    return `missing-${this.id(index)}`;
  }

  #makeId(index: number): string {
    return hexString(this.#random(index, 0), 24) + (index >>> 0).toString(16).padStart(8, '0');
  }

  #random(index: number, stream: number): () => number {
    return mulberry32(this.seed ^ Math.imul(index, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b));
  }
}

/**
 * Calls `task(i)` for i in [from, to) with at most `concurrency` calls in flight; the first
 * failure rejects (the remaining workers stop taking work).
 */
export async function forEachConcurrently(
  from: number,
  to: number,
  concurrency: number,
  task: (index: number) => Promise<unknown>,
): Promise<void> {
  let next = from;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < to) {
      const index = next++;
      try {
        await task(index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(0, to - from)) }, worker));
}
