// Expiry on a virtual clock: exact to the millisecond, hidden by reads, removed only by cleanup.
import fc from 'fast-check';
import type { Session } from '../../backends/contract.js';
import { clockSessionArb, idArb, sessionArb } from '../arbitraries/index.js';
import { expectSession, quote } from '../engine/compare.js';
import type { PropertyDef } from '../engine/define.js';
import { expiryOf, ReferenceModel } from '../engine/model.js';
import { boundaryNows, expectCleanup, expectMatchesModel, storeAll } from '../engine/observe.js';

function uniqueSessions(session: fc.Arbitrary<Session>, maxLength: number): fc.Arbitrary<Session[]> {
  return fc.uniqueArray(session, { minLength: 1, maxLength, selector: (s) => s.id });
}

export const expiryBoundary: PropertyDef = {
  id: 'expiry-boundary',
  statement:
    'A session is live strictly before lastAccessedAt + timeoutMs and hidden from fetch and list at exactly that instant and after; null never expires.',
  requires: [],
  // Served late or hidden early: a wrong answer that loses nothing (reads that revive one fail no-resurrection).
  severity: 'major',
  runs: 30,
  run: (ctx) =>
    fc.asyncProperty(uniqueSessions(sessionArb(), 5), async (sessions) =>
      ctx.withBackend(async (backend) => {
        const model = new ReferenceModel();
        await storeAll(backend, model, sessions);
        const nows = [0, Number.MAX_SAFE_INTEGER, ...sessions.flatMap((s) => boundaryNows(expiryOf(s)))];
        await expectMatchesModel(backend, model, { nows, what: 'around each expiry' });
      }),
    ),
};

/** An instant at (or one millisecond around) some session's expiry, or anywhere on the clock. */
function cleanupNowArb(span: number): fc.Arbitrary<(sessions: Session[]) => number> {
  return fc.oneof(
    fc.tuple(fc.nat(), fc.integer({ min: -1, max: 1 })).map(([pick, delta]) => (sessions: Session[]) => {
      const expiries = sessions.map(expiryOf).filter((e): e is number => e !== null);
      return expiries.length === 0 ? 0 : Math.max(0, expiries[pick % expiries.length]! + delta);
    }),
    fc.nat(span * 2).map((now) => () => now),
  );
}

export const expiryCleanup: PropertyDef = {
  id: 'expiry-cleanup',
  statement:
    'cleanupExpired(now) removes exactly the sessions expired at now, returns their count, and leaves every other session as it was.',
  requires: [],
  // A cleanup that removes a live or never-expiring session loses it; a wrong count or an expired session left behind fail the same check.
  severity: 'critical',
  runs: 30,
  run: (ctx) =>
    fc.asyncProperty(uniqueSessions(clockSessionArb(idArb), 8), cleanupNowArb(1000), async (sessions, pickNow) =>
      ctx.withBackend(async (backend) => {
        const model = new ReferenceModel();
        await storeAll(backend, model, sessions);
        const now = pickNow(sessions);
        await expectCleanup(backend, model, now, 'first cleanup');
        // What was removed is gone even at earlier instants; what was kept is untouched.
        await expectMatchesModel(backend, model, {
          ids: sessions.map((s) => s.id),
          nows: [0, now],
          what: `after cleanupExpired(${now})`,
        });
        await expectCleanup(backend, model, now, 'a second cleanup at the same instant');
      }),
    ),
};

export const noResurrection: PropertyDef = {
  id: 'no-resurrection',
  statement:
    'Reading an expired session (fetch, list, at any later instant) never brings it back, extends it or removes it: cleanupExpired still counts it.',
  requires: [],
  severity: 'critical',
  runs: 25,
  run: (ctx) =>
    fc.asyncProperty(
      clockSessionArb(idArb).filter((s) => s.timeoutMs !== null),
      fc.array(fc.tuple(fc.boolean(), fc.nat(2000)), { minLength: 1, maxLength: 6 }),
      async (session, reads) =>
        ctx.withBackend(async (backend) => {
          const model = new ReferenceModel();
          await storeAll(backend, model, [session]);
          const expiry = expiryOf(session)!;
          for (const [viaList, after] of reads) {
            const now = expiry + after;
            if (viaList) {
              const ids = await backend.list(now);
              if (ids.includes(session.id)) throw new Error(`list(${now}) shows the session that expired at ${expiry}`);
            } else {
              expectSession(
                await backend.fetch(session.id, now),
                undefined,
                `fetch at ${now}, after the expiry at ${expiry}`,
              );
            }
          }
          // Still there, unchanged, for an earlier instant: reads neither touched nor deleted it.
          await expectMatchesModel(backend, model, {
            nows: [0, ...boundaryNows(expiry)],
            what: 'after reading it expired',
          });
          await expectCleanup(backend, model, expiry, 'cleanup at the expiry');
          await expectMatchesModel(backend, model, { ids: [session.id], nows: [0], what: 'after cleanup' });
        }),
    ),
};

type DeleteStep =
  | { kind: 'store'; pick: number; session: Session }
  | { kind: 'delete'; pick: number }
  | { kind: 'cleanup'; now: number };

export const deleteTruthful: PropertyDef = {
  id: 'delete-truthful',
  statement:
    'delete() returns true exactly when a session was stored (live, or expired but not cleaned up), false otherwise, and the session is gone after.',
  requires: [],
  // A wrong return value loses nothing; a session still there after delete() also fails model (critical).
  severity: 'major',
  runs: 30,
  run: (ctx) =>
    fc.asyncProperty(
      fc.uniqueArray(idArb, { minLength: 1, maxLength: 3 }),
      fc.array(
        fc.oneof(
          fc
            .tuple(fc.nat(), clockSessionArb(fc.constant('')))
            .map(([pick, session]): DeleteStep => ({ kind: 'store', pick, session })),
          fc.nat().map((pick): DeleteStep => ({ kind: 'delete', pick })),
          fc.nat(1500).map((now): DeleteStep => ({ kind: 'cleanup', now })),
        ),
        { minLength: 1, maxLength: 10 },
      ),
      async (ids, steps) =>
        ctx.withBackend(async (backend) => {
          const model = new ReferenceModel();
          const idOf = (pick: number): string => ids[pick % ids.length]!;
          for (const step of steps) {
            if (step.kind === 'store') {
              await storeAll(backend, model, [{ ...step.session, id: idOf(step.pick) }]);
            } else if (step.kind === 'cleanup') {
              await expectCleanup(backend, model, step.now, 'cleanup');
            } else {
              const id = idOf(step.pick);
              const stored = model.peek(id);
              const deleted = await backend.delete(id);
              if (deleted !== model.delete(id)) {
                const state = stored === undefined ? 'absent' : `stored (expiry ${expiryOf(stored)})`;
                throw new Error(`delete(${quote(id)}) returned ${deleted} for a session that was ${state}`);
              }
              await expectMatchesModel(backend, model, { ids, nows: [0], what: `after delete(${quote(id)})` });
              if (await backend.delete(id)) throw new Error(`a second delete(${quote(id)}) returned true`);
            }
          }
          await expectCleanup(backend, model, Number.MAX_SAFE_INTEGER, 'final cleanup');
        }),
    ),
};
