// What a backend accepts it gives back exactly; what is over its limit it refuses, changing
// nothing (critical), with TOO_LARGE and at exactly its declared limit (minor).
import fc from 'fast-check';
import type { Session } from '../../backends/contract.js';
import { labelled, makeSession, sessionArb, sizedSessionArb, smallMetadataArb } from '../arbitraries/index.js';
import type { PropertyDef } from '../engine/define.js';
import { expiryOf, ReferenceModel } from '../engine/model.js';
import { boundaryNows, expectMatchesModel, storeAll } from '../engine/observe.js';
import { attempt, expectCode, expectOk } from '../../backends/outcome.js';
import { DEFAULT_MAX_SESSION_BYTES } from '../../backends/validate.js';

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
  fc
    .tuple(fc.nat(1_000_000), fc.integer({ min: 1, max: 100 }), smallMetadataArb)
    .map(([at, version, metadata]) =>
      labelled(
        (id: string): Session => makeSession(id, at, 0, null, version, metadata),
        `a session stored before: v${version} at ${at}, metadata ${JSON.stringify(metadata)}`,
      ),
    ),
  { nil: undefined },
);

/** With maxSessionBytes null, sessions this large (and a little over) must be accepted. */
const NO_LIMIT_PROBE_BYTES = 2 * 1024 * 1024;

/** Where the size properties probe: the declared limit; with none, a few MB; unknown, the usual 1 MiB default. */
function probeTarget(limit: number | null | undefined): number {
  if (limit === null) return NO_LIMIT_PROBE_BYTES;
  return limit ?? DEFAULT_MAX_SESSION_BYTES;
}

function limitText(limit: number | null | undefined): string {
  if (limit === null) return 'no declared limit';
  return limit === undefined ? 'an unknown limit' : `a declared limit of ${limit}`;
}

export const tooLarge: PropertyDef = {
  id: 'too-large',
  statement:
    'A session near the size limit (the declared maxSessionBytes, a few MB with none, 1 MiB when unknown) is either stored and read back exactly, or refused and nothing stored changes.',
  requires: [],
  severity: 'critical',
  runs: 30,
  run: (ctx) => {
    const limit = ctx.module.capabilities.maxSessionBytes;
    return fc.asyncProperty(sizedSessionArb(probeTarget(limit)), priorArb, async ({ session, bytes }, prior) =>
      ctx.withBackend(async (backend) => {
        const model = new ReferenceModel();
        if (prior !== undefined) {
          const before = prior(session.id);
          await expectOk(() => backend.store(before), 'storing the session already there');
          model.store(before);
        }
        // Any refusal will do here (its code is size-limit's, a minor matter); what was accepted must round-trip.
        const what = `store() of ${bytes} bytes with ${limitText(limit)}`;
        if ((await attempt(() => backend.store(session))).ok) model.store(session);
        await expectMatchesModel(backend, model, {
          ids: [session.id],
          nows: [0, session.lastAccessedAt],
          what: `after ${what}`,
        });
      }),
    );
  },
};

export const sizeLimit: PropertyDef = {
  id: 'size-limit',
  statement:
    'A session over the size limit is refused with TOO_LARGE; with a declared maxSessionBytes, one within it is accepted and one byte over refused; with null, sessions of a few MB are accepted.',
  requires: [],
  // Conformance: the exact code and the exact limit; what a refusal or an acceptance does to the data is too-large's.
  severity: 'minor',
  runs: 20,
  run: (ctx) => {
    const limit = ctx.module.capabilities.maxSessionBytes;
    return fc.asyncProperty(sizedSessionArb(probeTarget(limit)), async ({ session, bytes }) =>
      ctx.withBackend(async (backend) => {
        const what = `store() of ${bytes} bytes with ${limitText(limit)}`;
        if (limit === null || (limit !== undefined && bytes <= limit)) {
          await expectOk(() => backend.store(session), what);
        } else if (limit !== undefined) {
          await expectCode(() => backend.store(session), 'TOO_LARGE', what);
        } else {
          const outcome = await attempt(() => backend.store(session));
          if (!outcome.ok && (outcome.sync || outcome.code !== 'TOO_LARGE')) {
            throw new Error(
              `${what}: refused with ${outcome.code ?? 'an error without a code'}${outcome.sync ? ', thrown synchronously,' : ''} instead of TOO_LARGE`,
            );
          }
        }
      }),
    );
  },
};
