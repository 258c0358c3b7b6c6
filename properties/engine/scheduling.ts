// Interleavings driven by fast-check's scheduler, made replayable from a seed and path.
import fc from 'fast-check';
import type { SessionBackend } from '../../backends/contract.js';

/**
 * Interleavings come from fast-check's scheduler, built afresh in every run from a generated
 * seed. fast-check reuses one generated scheduler across the runs of shrinking, and its clones
 * share random state, so orderings seen while shrinking would differ from those a replay of the
 * same path sees; a seed makes both deterministic.
 */
export const interleavingArb: fc.Arbitrary<number> = fc.integer();

/** Runs `body` with the scheduler of `seed`; a failure names the interleaving it ran. */
export async function withScheduler<T>(seed: number, body: (scheduler: fc.Scheduler) => Promise<T>): Promise<T> {
  const [scheduler] = fc.sample(fc.scheduler(), { seed, numRuns: 1 });
  try {
    return await body(scheduler!);
  } catch (err) {
    const order = scheduler!
      .report()
      .filter((task) => task.status !== 'pending')
      .map((task) => task.label)
      .join(', ');
    throw new Error(`${(err as Error)?.message ?? err} (interleaving: ${order})`, { cause: err });
  }
}

/**
 * The backend with every call's result released in an order fast-check's scheduler picks, so
 * two managers' read-modify-write loops interleave every way. Calls start at once; a rejection is
 * held as a value until released, so it is never unhandled meanwhile.
 */
export function scheduledBackend(backend: SessionBackend, scheduler: fc.Scheduler, name: string): SessionBackend {
  const release = <T>(call: string, promise: Promise<T>): Promise<T> =>
    scheduler
      .schedule(
        promise.then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
        `${name}.${call}`,
      )
      .then((outcome) => (outcome.ok ? outcome.value : Promise.reject(outcome.error)));
  return {
    store: (...args) => release('store', backend.store(...args)),
    fetch: (...args) => release('fetch', backend.fetch(...args)),
    delete: (...args) => release('delete', backend.delete(...args)),
    list: (...args) => release('list', backend.list(...args)),
    cleanupExpired: (...args) => release('cleanupExpired', backend.cleanupExpired(...args)),
    ...(backend.touch === undefined
      ? {}
      : {
          touch: (id: string, lastAccessedAt: number, now: number) =>
            release('touch', backend.touch!(id, lastAccessedAt, now)),
        }),
    close: () => backend.close(),
  };
}
