// Versions and compare-and-set: expectedVersion 0 creates only, a stale version always conflicts,
// and of concurrent compare-and-sets from one version exactly one wins, in any interleaving.
import fc from 'fast-check';
import type { SessionBackend } from '../../backends/contract.js';
import { clockSessionArb, idArb, labelled, makeSession } from '../arbitraries/index.js';
import type { PropertyContext, PropertyDef } from '../engine/define.js';
import { expiryOf, ReferenceModel } from '../engine/model.js';
import { expectCleanup, expectMatchesModel, storeAll } from '../engine/observe.js';
import { attempt, expectCode, expectOk } from '../engine/outcome.js';
import { interleavingArb, withScheduler } from '../engine/scheduling.js';

const template = clockSessionArb(fc.constant(''));
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** What was under the id before the create: never anything, a live or an expired session, or one removed. */
type Before = 'absent' | 'live' | 'expired' | 'deleted' | 'cleaned up';

export const casCreate: PropertyDef = {
  id: 'cas-create',
  statement: 'store() with expectedVersion 0 succeeds only when nothing is stored under the id (an expired session not yet cleaned up counts) and never overwrites.',
  requires: [],
  runs: 30,
  run: (ctx) =>
    fc.asyncProperty(
      idArb,
      fc.constantFrom<Before>('absent', 'live', 'expired', 'deleted', 'cleaned up'),
      template,
      template,
      template,
      async (id, before, prior, first, second) =>
        ctx.withBackend(async (backend) => {
          const model = new ReferenceModel();
          if (before !== 'absent') {
            const timeoutMs = before === 'live' ? null : (prior.timeoutMs ?? 10);
            await storeAll(backend, model, [{ ...prior, id, timeoutMs }]);
          }
          if (before === 'deleted') {
            await backend.delete(id);
            model.delete(id);
          }
          if (before === 'cleaned up') await expectCleanup(backend, model, expiryOf(model.peek(id)!)!, 'cleanup');
          for (const [n, attemptAt] of [first, second].entries()) {
            const session = { ...attemptAt, id, version: 1 };
            const what = `create #${n + 1} (expectedVersion 0) over a session that was ${before}`;
            if (model.version(id) === 0) {
              await expectOk(() => backend.store(session, { expectedVersion: 0 }), what);
              model.store(session);
            } else {
              await expectCode(() => backend.store(session, { expectedVersion: 0 }), 'CONFLICT', what);
            }
            await expectMatchesModel(backend, model, { ids: [id], nows: [0, session.lastAccessedAt], what });
          }
          // Hidden (expired) sessions are compared through what cleanup finds.
          await expectCleanup(backend, model, MAX_SAFE, 'final cleanup');
        }),
    ),
};

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

export const casStale: PropertyDef = {
  id: 'cas-stale',
  statement: 'store() with an expectedVersion other than the stored version (0 when missing) gets CONFLICT and changes nothing; the stored version succeeds.',
  requires: [],
  runs: 30,
  run: (ctx) =>
    fc.asyncProperty(idArb, fc.array(fc.tuple(expectationArb, template), { minLength: 1, maxLength: 8 }), async (id, attempts) =>
      ctx.withBackend(async (backend) => {
        const model = new ReferenceModel();
        for (const [expectation, next] of attempts) {
          const current = model.version(id);
          const expectedVersion = expectation.at(current);
          if (expectedVersion < 0) continue;
          const session = { ...next, id, version: current + 1 };
          const what = `store(expectedVersion ${expectedVersion}) with version ${current} stored`;
          if (expectedVersion === current) {
            await expectOk(() => backend.store(session, { expectedVersion }), what);
            model.store(session);
          } else {
            await expectCode(() => backend.store(session, { expectedVersion }), 'CONFLICT', what);
          }
          await expectMatchesModel(backend, model, { ids: [id], nows: [0, session.lastAccessedAt], what });
        }
        await expectCleanup(backend, model, MAX_SAFE, 'final cleanup');
      }),
    ),
};

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
      ctx.withBackend((first, fixture) => withScheduler(generated, async (scheduler) => {
        const backends: SessionBackend[] = [first];
        while (backends.length < instances) backends.push(await fixture.open());
        const model = new ReferenceModel();
        if (initialVersion !== undefined) await storeAll(first, model, [makeSession(id, 10, 0, null, initialVersion, { writer: -1 })]);
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
          throw new Error(`${winners.length} of ${writers.length} compare-and-sets from version ${expectedVersion} succeeded (writers ${winners.join(', ')})`);
        }
        for (const [i, outcome] of outcomes.entries()) {
          if (!outcome.ok && (outcome.sync || outcome.code !== 'CONFLICT')) {
            throw new Error(`writer ${i} lost but got ${outcome.sync ? 'a synchronous throw' : (outcome.code ?? 'an error without a code')}, not CONFLICT`);
          }
        }
        model.store(sessions[winners[0]!]!);
        for (const [on, backend] of backends.entries()) {
          await expectMatchesModel(backend, model, { ids: [id], what: `instance ${on} after the race` });
        }
      })),
  );
}

export const casConcurrent: PropertyDef = {
  id: 'cas-concurrent',
  statement: 'Of several concurrent compare-and-sets from the same version, in any interleaving, exactly one wins, the others get CONFLICT, and the winner is stored.',
  requires: [],
  runs: 30,
  run: (ctx) => concurrentCas(ctx, 1),
};
