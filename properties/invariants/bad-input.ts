// Bad input is refused and changes nothing that was stored (critical), with its error code (minor).
import fc from 'fast-check';
import type { Session, SessionBackend } from '../../backends/contract.js';
import {
  badIdArb,
  badNowArb,
  badStoreOptionsArb,
  idArb,
  labelled,
  malformedSessionArb,
  sessionArb,
} from '../arbitraries/index.js';
import type { PropertyContext, PropertyDef } from '../engine/define.js';
import { ReferenceModel } from '../engine/model.js';
import { expectCleanup, expectMatchesModel, storeAll } from '../engine/observe.js';
import { attempt, expectCode } from '../../backends/outcome.js';

interface BadCall {
  what: string;
  code: string;
  /** `target` is a valid session under an id already stored (or a fresh one), one version ahead. */
  call(backend: SessionBackend, target: Session, currentVersion: number): Promise<unknown>;
}

function badCall(what: string, code: string, call: BadCall['call']): BadCall {
  return labelled({ what, code, call }, `${what} -> ${code}`);
}

const badCallArb: fc.Arbitrary<BadCall> = fc.oneof(
  // The malformed session aims at a stored id, via plain store and via compare-and-set with the right version.
  fc
    .tuple(malformedSessionArb, fc.boolean())
    .map(([m, cas]) =>
      badCall(`store${cas ? ' (compare-and-set)' : ''}: ${m.what}`, m.code, (b, target, version) =>
        b.store(m.make(target) as Session, cas ? { expectedVersion: version } : undefined),
      ),
    ),
  badStoreOptionsArb.map((o) =>
    badCall(`store with options ${o.what}`, 'INVALID_SESSION', (b, target) => b.store(target, o.make() as never)),
  ),
  fc
    .tuple(badIdArb, fc.nat())
    .map(([id, now]) => badCall(`fetch with id ${id.what}`, 'INVALID_ID', (b) => b.fetch(id.make() as string, now))),
  badIdArb.map((id) => badCall(`delete with id ${id.what}`, 'INVALID_ID', (b) => b.delete(id.make() as string))),
  badNowArb.map((now) =>
    badCall(`fetch with now ${now.what}`, 'INVALID_SESSION', (b, target) => b.fetch(target.id, now.make() as number)),
  ),
  badNowArb.map((now) => badCall(`list with now ${now.what}`, 'INVALID_SESSION', (b) => b.list(now.make() as number))),
  badNowArb.map((now) =>
    badCall(`cleanupExpired with now ${now.what}`, 'INVALID_SESSION', (b) => b.cleanupExpired(now.make() as number)),
  ),
);

/**
 * Bad calls against a store holding a few sessions. `codes` false: each must be refused (any
 * error) and change nothing; true: each must reject with DESIGN's code for it.
 */
function badInputRun(
  ctx: PropertyContext,
  codes: boolean,
): fc.IAsyncProperty<[Session[], [BadCall, number, Session][]]> {
  return fc.asyncProperty(
    fc.uniqueArray(sessionArb(), { minLength: 1, maxLength: 3, selector: (s) => s.id }),
    fc.array(fc.tuple(badCallArb, fc.nat(), sessionArb({ id: idArb })), { minLength: 1, maxLength: 4 }),
    async (sessions, calls) =>
      ctx.withBackend(async (backend) => {
        const model = new ReferenceModel();
        await storeAll(backend, model, sessions);
        for (const [bad, pick, fresh] of calls) {
          // Half the time the target is a stored session, so a partial write would show.
          const stored = pick % 2 === 0 ? sessions[(pick >> 1) % sessions.length] : undefined;
          const id = stored?.id ?? fresh.id;
          const version = model.version(id);
          const target = { ...fresh, id, version: Math.min(version + 1, Number.MAX_SAFE_INTEGER) };
          const call = (): Promise<unknown> => bad.call(backend, target, version);
          if (codes) {
            await expectCode(call, bad.code, bad.what);
            continue;
          }
          if ((await attempt(call)).ok) throw new Error(`${bad.what}: resolved instead of being refused`);
          await expectMatchesModel(backend, model, {
            ids: [id],
            nows: [0, target.lastAccessedAt],
            what: `after ${bad.what}`,
          });
        }
        if (!codes) await expectCleanup(backend, model, Number.MAX_SAFE_INTEGER, 'final cleanup');
      }),
  );
}

export const badInput: PropertyDef = {
  id: 'bad-input',
  statement:
    'Every malformed session (each field wrong in turn, non-JSON metadata), malformed id, bad now and bad store option is refused (with any error), and the store is unchanged.',
  requires: [],
  severity: 'critical',
  runs: 40,
  run: (ctx) => badInputRun(ctx, false),
};

export const badInputCodes: PropertyDef = {
  id: 'bad-input-codes',
  statement:
    "Each bad input is refused with DESIGN's code for it: INVALID_ID for a bad id, INVALID_SESSION for any other bad field, metadata, now or store option.",
  requires: [],
  // Conformance: a refusal with another code changes nothing (bad-input checks that).
  severity: 'minor',
  runs: 30,
  run: (ctx) => badInputRun(ctx, true),
};
