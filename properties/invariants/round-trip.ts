// What a backend accepts it gives back exactly; what is over its limit it refuses, changing nothing.
import fc from 'fast-check';
import type { Session } from '../../backends/contract.js';
import { labelled, makeSession, sessionArb, sizedSessionArb, smallMetadataArb } from '../arbitraries/index.js';
import type { PropertyDef } from '../engine/define.js';
import { expiryOf, ReferenceModel } from '../engine/model.js';
import { boundaryNows, expectMatchesModel, storeAll } from '../engine/observe.js';
import { expectCode, expectOk } from '../../backends/outcome.js';

export const roundTrip: PropertyDef = {
  id: 'round-trip',
  statement: 'What store() took, fetch() gives back exactly and list() shows, for any id, times and JSON metadata.',
  requires: [],
  severity: 'critical',
  runs: 30,
  run: (ctx) =>
    fc.asyncProperty(fc.array(sessionArb(), { minLength: 1, maxLength: 4 }), async (sessions) =>
      ctx.withBackend(async (backend) => {
        const model = new ReferenceModel();
        await storeAll(backend, model, sessions);
        // Each session at its own instants (its last live millisecond among them) and at 0.
        const nows = [0, ...sessions.flatMap((s) => [s.lastAccessedAt, ...boundaryNows(expiryOf(s))])];
        await expectMatchesModel(backend, model, { nows, what: 'after storing' });
      }),
    ),
};

/** A session already stored under the id the oversized one uses, so "nothing changed" has something to keep. */
const priorArb = fc.option(
  fc.tuple(fc.nat(1_000_000), fc.integer({ min: 1, max: 100 }), smallMetadataArb).map(([at, version, metadata]) =>
    labelled(
      (id: string): Session => makeSession(id, at, 0, null, version, metadata),
      `a session stored before: v${version} at ${at}, metadata ${JSON.stringify(metadata)}`,
    ),
  ),
  { nil: undefined },
);

export const tooLarge: PropertyDef = {
  id: 'too-large',
  statement:
    'A session whose JSON is within maxSessionBytes (UTF-8) is stored and read back exactly; one byte over is refused with TOO_LARGE and nothing changes.',
  requires: [],
  severity: 'critical',
  runs: 30,
  run: (ctx) =>
    fc.asyncProperty(sizedSessionArb(ctx.smallLimit, ctx.defaultLimit), priorArb, async (sized, prior) =>
      ctx.withBackend(
        async (backend) => {
          const { session, bytes, limit } = sized;
          const model = new ReferenceModel();
          if (prior !== undefined) {
            const before = prior(session.id);
            await expectOk(() => backend.store(before), 'storing the session already there');
            model.store(before);
          }
          const what = `store() of ${bytes} bytes with a limit of ${limit}`;
          if (bytes <= limit) {
            await expectOk(() => backend.store(session), what);
            model.store(session);
          } else {
            await expectCode(() => backend.store(session), 'TOO_LARGE', what);
          }
          await expectMatchesModel(backend, model, { ids: [session.id], nows: [0, session.lastAccessedAt], what });
        },
        sized.maxSessionBytes === undefined ? {} : { maxSessionBytes: sized.maxSessionBytes },
      ),
    ),
};
