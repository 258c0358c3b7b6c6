// Versions and compare-and-set: expectedVersion 0 creates only, a stale version always conflicts,
// and of concurrent compare-and-sets from one version exactly one wins, in any interleaving.
import fc from 'fast-check';
import { clockSessionArb, idArb } from '../arbitraries/index.js';
import { concurrentCas, expectationArb } from '../engine/cas.js';
import type { PropertyDef } from '../engine/define.js';
import { expiryOf, ReferenceModel } from '../engine/model.js';
import { expectCleanup, expectMatchesModel, storeAll } from '../engine/observe.js';
import { expectCode, expectOk } from '../../backends/outcome.js';

const template = clockSessionArb(fc.constant(''));
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** What was under the id before the create: never anything, a live or an expired session, or one removed. */
type Before = 'absent' | 'live' | 'expired' | 'deleted' | 'cleaned up';

export const casCreate: PropertyDef = {
  id: 'cas-create',
  statement:
    'store() with expectedVersion 0 succeeds only when nothing is stored under the id (an expired session not yet cleaned up counts) and never overwrites.',
  requires: ['compareAndSet'],
  // Creating over a stored session overwrites it; a wrong CONFLICT fails the same check.
  severity: 'critical',
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

export const casStale: PropertyDef = {
  id: 'cas-stale',
  statement:
    'store() with an expectedVersion other than the stored version (0 when missing) gets CONFLICT and changes nothing; the stored version succeeds.',
  requires: ['compareAndSet'],
  // A stale version that is not refused overwrites a newer write (a lost update).
  severity: 'critical',
  runs: 30,
  run: (ctx) =>
    fc.asyncProperty(
      idArb,
      fc.array(fc.tuple(expectationArb, template), { minLength: 1, maxLength: 8 }),
      async (id, attempts) =>
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

export const casConcurrent: PropertyDef = {
  id: 'cas-concurrent',
  statement:
    'Of several concurrent compare-and-sets from the same version, in any interleaving, exactly one wins, the others get CONFLICT, and the winner is stored.',
  requires: ['compareAndSet'],
  severity: 'critical',
  runs: 30,
  run: (ctx) => concurrentCas(ctx, 1),
};
