// Compare-and-set pieces more than one property uses: the expectedVersions a writer sends
// (cas-stale and the model's cas step) and the race of writers from one version (cas-concurrent
// on one instance, sharing-cas on two).
import fc from 'fast-check';
import type { SessionBackend } from '../../backends/contract.js';
import { idArb, labelled, makeSession } from '../arbitraries/index.js';
import type { PropertyContext } from './define.js';
import { ReferenceModel } from './model.js';
import { expectMatchesModel, storeAll } from './observe.js';
import { attempt } from '../../backends/outcome.js';
import { interleavingArb, withScheduler } from './scheduling.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export interface Expectation {
  /** The expectedVersion to send, given the stored one. */
  at(current: number): number;
}

export const expectationArb: fc.Arbitrary<Expectation> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(labelled({ at: (c: number) => c }, 'current')) },
  {
    weight: 4,
    arbitrary: fc
      .constantFrom<[string, (c: number) => number]>(
        ['current + 1', (c) => c + 1],
        ['current - 1', (c) => c - 1],
        ['current + 2', (c) => c + 2],
        ['0', () => 0],
        ['1', () => 1],
        ['MAX_SAFE_INTEGER', () => MAX_SAFE],
      )
      .map(([label, at]) => labelled({ at }, label)),
  },
  { weight: 1, arbitrary: fc.nat(20).map((n) => labelled({ at: () => n }, String(n))) },
);

/**
 * Several writers compare-and-set one id from the same version, started in an order fast-check's
 * scheduler picks, spread over `instances` open instances. Exactly one may win.
 */
export function concurrentCas(ctx: PropertyContext, instances: number) {
  return fc.asyncProperty(
    interleavingArb,
    idArb,
    fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
    fc.array(fc.nat(instances - 1), { minLength: 2, maxLength: 6 }),
    async (generated, id, initialVersion, writers) =>
      ctx.withBackend((first, fixture) =>
        withScheduler(generated, async (scheduler) => {
          const backends: SessionBackend[] = [first];
          while (backends.length < instances) backends.push(await fixture.open());
          const model = new ReferenceModel();
          if (initialVersion !== undefined)
            await storeAll(first, model, [makeSession(id, 10, 0, null, initialVersion, { writer: -1 })]);
          const expectedVersion = model.version(id);
          const sessions = writers.map((_, i) => makeSession(id, 100 + i, 0, null, expectedVersion + 1, { writer: i }));
          const outcomes = await scheduler.waitFor(
            Promise.all(
              writers.map((on, i) =>
                scheduler
                  .schedule(Promise.resolve(), `writer ${i} on instance ${on}`)
                  .then(() => attempt(() => backends[on]!.store(sessions[i]!, { expectedVersion }))),
              ),
            ),
          );
          const winners = outcomes.flatMap((outcome, i) => (outcome.ok ? [i] : []));
          if (winners.length !== 1) {
            throw new Error(
              `${winners.length} of ${writers.length} compare-and-sets from version ${expectedVersion} succeeded (writers ${winners.join(', ')})`,
            );
          }
          for (const [i, outcome] of outcomes.entries()) {
            if (!outcome.ok && (outcome.sync || outcome.code !== 'CONFLICT')) {
              throw new Error(
                `writer ${i} lost but got ${outcome.sync ? 'a synchronous throw' : (outcome.code ?? 'an error without a code')}, not CONFLICT`,
              );
            }
          }
          model.store(sessions[winners[0]!]!);
          for (const [on, backend] of backends.entries()) {
            await expectMatchesModel(backend, model, { ids: [id], what: `instance ${on} after the race` });
          }
        }),
      ),
  );
}
