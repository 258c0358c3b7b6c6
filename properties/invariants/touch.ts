// touch (contract v2), on backends whose instances have it: it never revives an expired or
// deleted session, whatever it races with; it never loses a concurrent update; it moves
// lastAccessedAt only forwards and the version by exactly one; bad arguments change nothing and
// get DESIGN's codes.
import fc from 'fast-check';
import type { Session, SessionBackend } from '../../backends/contract.js';
import {
  badIdArb,
  badNowArb,
  clockSessionArb,
  idArb,
  labelled,
  sessionArb,
  smallMetadataArb,
} from '../arbitraries/index.js';
import { expectSession, quote } from '../engine/compare.js';
import { jsonDiff } from '../../backends/json-diff.js';
import type { ManagerLike, Metadata, PropertyContext, PropertyDef } from '../engine/define.js';
import { expiryOf, ReferenceModel } from '../engine/model.js';
import { idPoolArb, newWorld, SPAN, stepsFor, storeStepArb, touchStepArb } from '../engine/model-run.js';
import { boundaryNows, expectCleanup, expectMatchesModel, storeAll } from '../engine/observe.js';
import { interleavingArb, scheduledBackend, withScheduler } from '../engine/scheduling.js';
import { attempt, expectCode } from '../../backends/outcome.js';

type Touchable = SessionBackend & Required<Pick<SessionBackend, 'touch'>>;

/** The runner hands these properties only instances that have touch (`methods: ['touch']`). */
const touchable = (backend: SessionBackend): Touchable => backend as Touchable;

/** How the session is gone before the race: expired only (still stored), deleted, or cleaned up. */
type Gone = 'expired' | 'deleted' | 'cleaned up';

/** One call of the race: a touch `after` ms past the expiry (before it too, once the session is removed), a delete, or a cleanup. */
type RaceOp = { kind: 'touch'; after: number; ahead: number } | { kind: 'delete' } | { kind: 'cleanup'; after: number };

/** Offsets from the expiry, the instant itself most often. */
const afterArb = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.integer({ min: -1, max: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: -SPAN, max: SPAN }) },
);
const raceOpArb: fc.Arbitrary<RaceOp> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('touch' as const),
      after: afterArb,
      ahead: fc.oneof(fc.constant(0), fc.nat(SPAN)),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'delete' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cleanup' as const), after: afterArb.map(Math.abs) }) },
);

export const touchNoRevive: PropertyDef = {
  id: 'touch-no-revive',
  statement:
    'touch never revives a session: at its expiry instant and after, once deleted, once cleaned up, and racing delete and cleanupExpired in any interleaving, it returns undefined and the session stays gone.',
  requires: [],
  methods: ['touch'],
  severity: 'critical',
  runs: 30,
  run: (ctx) =>
    fc.asyncProperty(
      interleavingArb,
      clockSessionArb(idArb, SPAN).filter((s) => s.timeoutMs !== null),
      fc.constantFrom<Gone>('expired', 'deleted', 'cleaned up'),
      fc.array(raceOpArb, { minLength: 1, maxLength: 6 }),
      async (generated, session, gone, ops) =>
        ctx.withBackend((plain) =>
          withScheduler(generated, async (scheduler) => {
            const backend = touchable(plain);
            const model = new ReferenceModel();
            await storeAll(backend, model, [session]);
            const expiry = expiryOf(session)!;
            if (gone === 'deleted') {
              if (!(await backend.delete(session.id)))
                throw new Error(`delete(${quote(session.id)}) of a stored session returned false`);
              model.delete(session.id);
            }
            if (gone === 'cleaned up') await expectCleanup(backend, model, expiry, 'cleanup at the expiry');
            // While only expired, a touch before the expiry would rightly extend it: touches stay at or after it.
            const at = (after: number): number => Math.max(0, expiry + (gone === 'expired' ? Math.abs(after) : after));
            const call = (op: RaceOp): Promise<unknown> =>
              op.kind === 'touch'
                ? backend.touch(session.id, at(op.after) + op.ahead, at(op.after))
                : op.kind === 'delete'
                  ? backend.delete(session.id)
                  : backend.cleanupExpired(expiry + op.after);
            const outcomes = await scheduler.waitFor(
              Promise.all(
                ops.map((op, i) =>
                  scheduler.schedule(Promise.resolve(), `${op.kind} #${i}`).then(() => attempt(() => call(op))),
                ),
              ),
            );
            let removed = 0;
            for (const [i, outcome] of outcomes.entries()) {
              const op = ops[i]!;
              const what =
                op.kind === 'touch' ? `touch #${i} at ${at(op.after)} (expiry ${expiry}, ${gone})` : `${op.kind} #${i}`;
              if (!outcome.ok) throw new Error(`${what} failed: ${outcome.code ?? (outcome.error as Error)?.message}`);
              if (op.kind === 'touch' && outcome.value !== undefined)
                throw new Error(`${what} revived the session as version ${(outcome.value as Session).version}`);
              removed +=
                op.kind === 'delete' ? Number(outcome.value) : op.kind === 'cleanup' ? (outcome.value as number) : 0;
            }
            // Whatever their order, the race's deletes and cleanups remove what was still stored, once.
            const expectedRemoved = ops.some((op) => op.kind !== 'touch') && model.delete(session.id) ? 1 : 0;
            if (removed !== expectedRemoved)
              throw new Error(
                `the race's deletes and cleanups removed ${removed} sessions, expected ${expectedRemoved}`,
              );
            const nows = [
              0,
              ...boundaryNows(expiry),
              ...ops.flatMap((op) => (op.kind === 'touch' ? [at(op.after)] : [])),
            ];
            await expectMatchesModel(backend, model, { ids: [session.id], nows, what: 'after the race' });
          }),
        ),
    ),
};

/**
 * A call of the race, on instance `by`: the backend's touch (as the manager's touch makes it: the
 * property is about the backend, whatever a plug-in's manager does), or a manager's update.
 */
interface Racer {
  kind: 'touch' | 'set' | 'increment';
  by: number;
}

const racerArb: fc.Arbitrary<Racer> = fc.record({
  kind: fc.constantFrom('touch' as const, 'set' as const, 'increment' as const),
  by: fc.nat(1),
});

function update(m: ManagerLike, id: string, racer: Racer, i: number): Promise<Session | undefined> {
  return racer.kind === 'set'
    ? m.updateMetadata(id, { [`key${i}`]: i })
    : m.updateMetadata(id, (md: Metadata) => ({ ...md, count: (md.count as number) + 1 }));
}

export const touchKeepsConcurrentUpdates: PropertyDef = {
  id: 'touch-keeps-concurrent-updates',
  statement:
    "Touches racing two managers' metadata updates on one store (two instances when shared), in any interleaving, lose no update: each call writes exactly one version and the last one holds every update.",
  requires: [],
  methods: ['touch'],
  severity: 'critical',
  runs: 30,
  run: (ctx) =>
    fc.asyncProperty(
      interleavingArb,
      fc.array(fc.nat(SPAN), { minLength: 1, maxLength: 4 }),
      fc
        .array(racerArb, { minLength: 2, maxLength: 8 })
        .filter((racers) => racers.some((r) => r.kind === 'touch') && racers.some((r) => r.kind !== 'touch')),
      async (generated, ticks, racers) =>
        ctx.withBackend((first, fixture) =>
          withScheduler(generated, async (scheduler) => {
            // A second instance when the store is shared (two processes), else the same one (two managers in one process).
            const second = ctx.module.capabilities.shared ? await fixture.open() : first;
            const instances = [first, second].map((b, i) => scheduledBackend(b, scheduler, `instance${i}`));
            let reads = 0;
            const clock = (): number => ticks[reads++ % ticks.length]!;
            const managers = instances.map((b) =>
              ctx.createManager(b, { clock, cleanupIntervalMs: null, closeBackend: false }),
            );
            try {
              const created = await scheduler.waitFor(managers[0]!.create({ metadata: { count: 0 }, timeoutMs: null }));
              const calls = racers.map((racer, i) => {
                if (racer.kind !== 'touch') return update(managers[racer.by]!, created.id, racer, i);
                const now = clock();
                return touchable(instances[racer.by]!).touch(created.id, now, now);
              });
              const done = await scheduler.waitFor(Promise.allSettled(calls));
              const results = done.map((outcome, i) => {
                const what = `${racers[i]!.kind} #${i}`;
                if (outcome.status === 'rejected')
                  throw new Error(`${what} failed: ${(outcome.reason as Error)?.message ?? outcome.reason}`);
                if (outcome.value === undefined) throw new Error(`${what} found no session`);
                return { what, session: outcome.value };
              });
              const stored = await first.fetch(created.id, 0);
              if (stored === undefined) throw new Error('the session vanished');
              const expected: Metadata = { count: racers.filter((r) => r.kind === 'increment').length };
              for (const [i, racer] of racers.entries()) if (racer.kind === 'set') expected[`key${i}`] = i;
              const lost = jsonDiff(stored.metadata, expected);
              if (lost !== undefined)
                throw new Error(`after ${racers.length} concurrent calls the metadata lost an update ${lost}`);
              // Every call wrote once: the versions handed back are distinct, and the last is what is stored.
              const byVersion = new Map<number, string>();
              for (const { what, session } of results) {
                const other = byVersion.get(session.version);
                if (other !== undefined)
                  throw new Error(
                    `${other} and ${what} both handed back version ${session.version}: one write overwrote the other`,
                  );
                byVersion.set(session.version, what);
              }
              const last = results.reduce((a, b) => (b.session.version > a.session.version ? b : a));
              expectSession(
                stored,
                last.session,
                `the stored session, against the last call in version order (${last.what})`,
              );
              if (stored.version !== created.version + racers.length) {
                throw new Error(`${racers.length} calls took the version from ${created.version} to ${stored.version}`);
              }
            } finally {
              await Promise.all(managers.map((m) => m.close()));
            }
          }),
        ),
    ),
};

export const touchMonotonic: PropertyDef = {
  id: 'touch-monotonic',
  statement:
    'Amid any sequence of other calls, touch of a live session sets lastAccessedAt to max(stored, given), adds exactly 1 to the version, keeps createdAt, timeoutMs and metadata, and returns what fetch then returns (the reference model).',
  requires: [],
  methods: ['touch'],
  severity: 'critical',
  runs: 30,
  run: (ctx) => {
    const others = stepsFor(ctx.module);
    return fc.asyncProperty(
      idPoolArb,
      fc.nat(SPAN),
      // Touches weigh as much as every other step together, and stores four times their share, so touches find sessions.
      fc.commands(
        [
          ...others,
          storeStepArb,
          storeStepArb,
          storeStepArb,
          ...Array.from({ length: others.length + 3 }, () => touchStepArb),
        ],
        { maxCommands: ctx.profile.maxCommands, replayPath: ctx.replayPath },
      ),
      async (ids, start, steps) =>
        ctx.withBackend(async (backend) =>
          fc.asyncModelRun(() => ({ model: newWorld(ids, start), real: backend }), steps),
        ),
    );
  },
};

interface BadTouch {
  what: string;
  code: 'INVALID_ID' | 'INVALID_SESSION';
  call(backend: Touchable, id: string, at: number): Promise<unknown>;
}

function badTouch(what: string, code: BadTouch['code'], call: BadTouch['call']): BadTouch {
  return labelled({ what, code, call }, `${what} -> ${code}`);
}

const badTouchArb: fc.Arbitrary<BadTouch> = fc.oneof(
  badIdArb.map((id) =>
    badTouch(`touch with id ${id.what}`, 'INVALID_ID', (b, _, at) => b.touch(id.make() as string, at, at)),
  ),
  badNowArb.map((bad) =>
    badTouch(`touch with lastAccessedAt ${bad.what}`, 'INVALID_SESSION', (b, id, at) =>
      b.touch(id, bad.make() as number, at),
    ),
  ),
  badNowArb.map((bad) =>
    badTouch(`touch with now ${bad.what}`, 'INVALID_SESSION', (b, id, at) => b.touch(id, at, bad.make() as number)),
  ),
);

/**
 * Stored sessions, then bad touches aimed half the time at one of them, live at the valid
 * argument given beside the bad one (so a touch that went ahead would show); `check` judges each call.
 */
function badTouches(ctx: PropertyContext, check: (bad: BadTouch, call: () => Promise<unknown>) => Promise<void>) {
  return fc.asyncProperty(
    // Small metadata: what is bad here is the arguments, and the sessions only show a write.
    fc.uniqueArray(sessionArb({ metadata: smallMetadataArb }), { minLength: 1, maxLength: 3, selector: (s) => s.id }),
    fc.array(fc.tuple(badTouchArb, fc.nat(), idArb), { minLength: 1, maxLength: 4 }),
    async (sessions, calls) =>
      ctx.withBackend(async (plain) => {
        const backend = touchable(plain);
        const model = new ReferenceModel();
        await storeAll(backend, model, sessions);
        for (const [bad, pick, fresh] of calls) {
          const target = pick % 2 === 0 ? sessions[(pick >> 1) % sessions.length] : undefined;
          const id = target?.id ?? fresh;
          const at = target?.lastAccessedAt ?? 0;
          await check(bad, () => bad.call(backend, id, at));
          await expectMatchesModel(backend, model, {
            ids: [id],
            nows: [0, at],
            what: `after ${bad.what} on ${quote(id)}`,
          });
        }
      }),
  );
}

export const touchBadInputUnchanged: PropertyDef = {
  id: 'touch-bad-input-unchanged',
  statement: 'touch with a malformed id, lastAccessedAt or now changes nothing stored, whatever it answers.',
  requires: [],
  methods: ['touch'],
  severity: 'critical',
  runs: 20,
  run: (ctx) =>
    badTouches(ctx, async (_, call) => {
      await attempt(call);
    }),
};

export const touchBadInputCodes: PropertyDef = {
  id: 'touch-bad-input-codes',
  statement:
    'touch refuses a malformed id with INVALID_ID and a lastAccessedAt or now that is not a non-negative safe integer with INVALID_SESSION.',
  requires: [],
  methods: ['touch'],
  severity: 'minor',
  runs: 20,
  run: (ctx) => badTouches(ctx, (bad, call) => expectCode(call, bad.code, bad.what)),
};
