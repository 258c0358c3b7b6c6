// Compares everything a backend shows with what the reference model says it must show: list(now)
// and fetch(id, now) of every id involved, at each instant given. This is the "store unchanged"
// check too: a backend that wrote anything it should not have differs from the model somewhere.
import type { Session, SessionBackend } from '../../backends/contract.js';
import { expectIds, expectSession, quote } from './compare.js';
import type { ReferenceModel } from './model.js';
import { expectOk } from '../../backends/outcome.js';

export interface Observation {
  /** Ids to fetch besides the model's own (ids refused, deleted or cleaned up: they must stay absent). */
  ids?: Iterable<string>;
  /** Instants to look at; 0 shows every session whose expiry is not 0. */
  nows?: Iterable<number>;
  /** Names the step in the failure message. */
  what: string;
}

export async function expectMatchesModel(
  backend: SessionBackend,
  model: ReferenceModel,
  observation: Observation,
): Promise<void> {
  const ids = [...new Set([...model.ids(), ...(observation.ids ?? [])])];
  const nows = [...new Set(observation.nows ?? [0])];
  // Reads only, all at once: one round trip on a networked store instead of dozens.
  const seen = await Promise.all(
    nows.map(async (now) => ({
      now,
      listed: await backend.list(now),
      fetched: await Promise.all(ids.map((id) => backend.fetch(id, now))),
    })),
  );
  for (const { now, listed, fetched } of seen) {
    expectIds(listed, model.list(now), `${observation.what}: list(${now})`);
    for (const [i, id] of ids.entries()) {
      expectSession(fetched[i], model.fetch(id, now), `${observation.what}: fetch(${quote(id)}, ${now})`);
    }
  }
}

/** Instants around an expiry: the last live millisecond, the boundary itself and just after. */
export function boundaryNows(expiry: number | null): number[] {
  if (expiry === null) return [];
  return [expiry - 1, expiry, expiry + 1].filter((now) => now >= 0 && Number.isSafeInteger(now));
}

/** Stores each session (plain upserts, all must succeed) and mirrors it in the model. */
export async function storeAll(backend: SessionBackend, model: ReferenceModel, sessions: Session[]): Promise<void> {
  for (const session of sessions) {
    await expectOk(() => backend.store(session), `store(${quote(session.id)})`);
    model.store(session);
  }
}

/** cleanupExpired(now) on both; fails unless the counts agree. */
export async function expectCleanup(
  backend: SessionBackend,
  model: ReferenceModel,
  now: number,
  what: string,
): Promise<void> {
  const removed = await backend.cleanupExpired(now);
  const expected = model.cleanupExpired(now);
  if (removed !== expected)
    throw new Error(`${what}: cleanupExpired(${now}) returned ${removed}, expected ${expected}`);
}
