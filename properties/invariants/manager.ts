// The SessionManager above any backend: ids, a monotonic lastAccessedAt on a clock that steps
// back, no lost updates between two managers, metadata sets that are idempotent and commute.
import fc from 'fast-check';
import type { Json, Session, SessionBackend } from '../../backends/contract.js';
import { jsonKey, jsonValue, metadataArb, smallMetadataArb } from '../arbitraries/index.js';
import { expectSession } from '../engine/compare.js';
import { jsonDiff } from '../../backends/json-diff.js';
import type { ManagerLike, Metadata, PropertyContext, PropertyDef } from '../engine/define.js';
import { expectOk } from '../../backends/outcome.js';
import { interleavingArb, scheduledBackend, withScheduler } from '../engine/scheduling.js';

/** The documented format of a manager-issued id: 16 CSPRNG bytes as lowercase hex. */
const ISSUED_ID = /^[0-9a-f]{32}$/;
const CREATE_BATCH = 64;
/** Clock values the scripts move between; timeouts are longer, so nothing expires mid-script. */
const CLOCK_SPAN = 2_000_000;
const LONG_TIMEOUT = fc.option(fc.integer({ min: 10 * CLOCK_SPAN, max: 1_000_000_000 }), { nil: null });

function manager(ctx: PropertyContext, backend: SessionBackend, clock: () => number): ManagerLike {
  // No timer, and the fixture (not the manager) closes the backend.
  return ctx.createManager(backend, { clock, cleanupIntervalMs: null, closeBackend: false });
}

/** A second instance when the store is shared (two processes), else the same one (two managers in one process). */
async function secondInstance(
  ctx: PropertyContext,
  first: SessionBackend,
  open: () => Promise<SessionBackend>,
): Promise<SessionBackend> {
  return ctx.module.capabilities.shared ? open() : first;
}

export const managerIds: PropertyDef = {
  id: 'manager-ids',
  statement:
    'Ids two managers issue are 32 lowercase hex characters and never collide (10k in quick, 100k in standard and thorough), each created exactly as asked.',
  requires: [],
  // Colliding ids show one user's session to another.
  severity: 'critical',
  runs: { quick: 1, standard: 1, thorough: 3 },
  run: (ctx) =>
    // Small metadata: this property is about ids, and it creates 100k sessions.
    fc.asyncProperty(fc.nat(CLOCK_SPAN), smallMetadataArb, async (now, metadata) =>
      ctx.withBackend(async (backend, fixture) => {
        const second = await secondInstance(ctx, backend, () => fixture.open());
        const managers = [manager(ctx, backend, () => now), manager(ctx, second, () => now)];
        const total = ctx.profile.managerIds;
        const ids = new Set<string>();
        try {
          for (let done = 0; done < total; done += CREATE_BATCH) {
            const batch = Array.from({ length: Math.min(CREATE_BATCH, total - done) }, (_, i) =>
              expectOk(
                () => managers[(done + i) % 2]!.create({ metadata, timeoutMs: null }),
                `create() #${done + i + 1}`,
              ),
            );
            for (const session of await Promise.all(batch)) {
              if (!ISSUED_ID.test(session.id))
                throw new Error(`issued id ${JSON.stringify(session.id)} is not 32 lowercase hex characters`);
              if (ids.has(session.id)) throw new Error(`id ${session.id} was issued twice (after ${ids.size} ids)`);
              ids.add(session.id);
              const expected: Session = {
                id: session.id,
                createdAt: now,
                lastAccessedAt: now,
                timeoutMs: null,
                version: 1,
                metadata,
              };
              const diff = jsonDiff(session, expected);
              if (diff !== undefined) throw new Error(`create() returned a session ${diff}`);
            }
          }
        } finally {
          await Promise.all(managers.map((m) => m.close()));
        }
        const listed = await backend.list(now);
        if (listed.length !== total) throw new Error(`${total} sessions created, the backend lists ${listed.length}`);
      }),
    ),
};

type ScriptOp =
  | { kind: 'touch' | 'get'; clock: number }
  | { kind: 'update'; clock: number; key: string; value: Json }
  | { kind: 'setTimeout'; clock: number; timeoutMs: number | null };

const clockArb = fc.nat(CLOCK_SPAN);
const scriptOpArb: fc.Arbitrary<ScriptOp> = fc.oneof(
  fc.record({ kind: fc.constantFrom('touch' as const, 'get' as const), clock: clockArb }),
  fc.record({ kind: fc.constant('update' as const), clock: clockArb, key: jsonKey, value: jsonValue }),
  fc.record({ kind: fc.constant('setTimeout' as const), clock: clockArb, timeoutMs: LONG_TIMEOUT }),
);

interface Script {
  start: number;
  timeoutMs: number | null;
  ops: ScriptOp[];
}

const scriptArb: fc.Arbitrary<Script> = fc.record({
  start: clockArb,
  timeoutMs: LONG_TIMEOUT,
  ops: fc.array(scriptOpArb, { minLength: 1, maxLength: 12 }),
});

function apply(m: ManagerLike, id: string, op: ScriptOp): Promise<Session | undefined> {
  switch (op.kind) {
    case 'touch':
      return m.touch(id);
    case 'get':
      return m.get(id);
    case 'update':
      return m.updateMetadata(id, Object.fromEntries([[op.key, op.value]]));
    case 'setTimeout':
      return m.setTimeout(id, op.timeoutMs);
  }
}

type StepCheck = (
  op: ScriptOp | { kind: 'create'; clock: number },
  before: Session | undefined,
  after: Session,
) => void;

/** Creates a session, runs the script with the clock set before each op, and checks every step. */
async function runScript(
  ctx: PropertyContext,
  backend: SessionBackend,
  script: Script,
  check: StepCheck,
): Promise<void> {
  let now = script.start;
  const m = manager(ctx, backend, () => now);
  try {
    const created = await expectOk(() => m.create({ timeoutMs: script.timeoutMs }), `create() at clock ${now}`);
    check({ kind: 'create', clock: now }, undefined, created);
    let before = created;
    for (const op of script.ops) {
      now = op.clock;
      const after = await expectOk(() => apply(m, created.id, op), `${op.kind} at clock ${now}`);
      if (after === undefined)
        throw new Error(`${op.kind} at ${now} found no session, though its timeout can't have passed`);
      check(op, before, after);
      // What the manager hands back is what it stored.
      expectSession(await backend.fetch(created.id, now), after, `stored after ${op.kind} at ${now}`);
      before = after;
    }
  } finally {
    await m.close();
  }
}

export const managerMonotonic: PropertyDef = {
  id: 'manager-monotonic',
  statement:
    'lastAccessedAt never decreases, even when the clock steps back: touch sets max(stored, clock), get changes nothing, every write keeps it >= createdAt.',
  requires: [],
  // lastAccessedAt going back makes a session expire early; nothing stored is lost.
  severity: 'major',
  runs: 20,
  run: (ctx) =>
    fc.asyncProperty(scriptArb, async (script) =>
      ctx.withBackend((backend) =>
        runScript(ctx, backend, script, (op, before, after) => {
          const at = `${op.kind} at clock ${op.clock}`;
          const last = after.lastAccessedAt;
          if (before === undefined) {
            if (last !== op.clock) throw new Error(`${at}: lastAccessedAt is ${last}`);
            return;
          }
          if (last < before.lastAccessedAt)
            throw new Error(`${at}: lastAccessedAt went back from ${before.lastAccessedAt} to ${last}`);
          if (last < after.createdAt)
            throw new Error(`${at}: lastAccessedAt ${last} is before createdAt ${after.createdAt}`);
          if (op.kind === 'touch' && last !== Math.max(before.lastAccessedAt, op.clock)) {
            throw new Error(`${at}: lastAccessedAt is ${last}, expected max(${before.lastAccessedAt}, ${op.clock})`);
          }
          if (op.kind === 'get' && last !== before.lastAccessedAt)
            throw new Error(`${at}: a read moved lastAccessedAt to ${last}`);
        }),
      ),
    ),
};

export const managerCreatedAt: PropertyDef = {
  id: 'manager-created-at',
  statement:
    'createdAt is the clock at create() and never changes through touch, get, updateMetadata or setTimeout, whichever way the clock moves.',
  requires: [],
  severity: 'critical',
  runs: 20,
  run: (ctx) =>
    fc.asyncProperty(scriptArb, async (script) =>
      ctx.withBackend((backend) =>
        runScript(ctx, backend, script, (op, before, after) => {
          const expected = before?.createdAt ?? op.clock;
          if (after.createdAt !== expected)
            throw new Error(`${op.kind} at clock ${op.clock}: createdAt is ${after.createdAt}, expected ${expected}`);
        }),
      ),
    ),
};

/** One manager's call in the race: a metadata update (its own key, or the shared count), a touch, or a timeout. */
type RacedOp = { by: number } & (
  { kind: 'set' | 'increment' | 'touch' } | { kind: 'setTimeout'; timeoutMs: number | null }
);

const byArb = fc.nat(1);
const racedOpArb: fc.Arbitrary<RacedOp> = fc.oneof(
  fc.record({ by: byArb, kind: fc.constantFrom('set' as const, 'increment' as const) }),
  fc.record({ by: byArb, kind: fc.constant('touch' as const) }),
  fc.record({ by: byArb, kind: fc.constant('setTimeout' as const), timeoutMs: LONG_TIMEOUT }),
);
/** Clock readings the managers take in turn, so accesses race forwards and back in time. */
const ticksArb = fc.array(clockArb, { minLength: 1, maxLength: 6 });

const increment = (m: Metadata): Metadata => ({ ...m, count: (m.count as number) + 1 });

function race(m: ManagerLike, id: string, op: RacedOp, i: number): Promise<Session | undefined> {
  switch (op.kind) {
    case 'set':
      return m.updateMetadata(id, { [`key${i}`]: i });
    case 'increment':
      return m.updateMetadata(id, increment);
    case 'touch':
      return m.touch(id);
    case 'setTimeout':
      return m.setTimeout(id, op.timeoutMs);
  }
}

interface Returned {
  what: string;
  op: RacedOp | undefined;
  session: Session;
}

/**
 * With compare-and-set every write makes the next version, so the versions the calls hand back
 * are the serial order their writes took: one version is one session (a call that writes nothing,
 * a touch that changes nothing, may hand back the one it read), lastAccessedAt never decreases
 * along it, what is stored is its last session, and the timeout is the last setTimeout's in it.
 */
function checkRace(created: Session, ops: RacedOp[], results: Session[], stored: Session | undefined): void {
  if (stored === undefined) throw new Error('the session vanished');
  const expected: Metadata = { count: ops.filter((op) => op.kind === 'increment').length };
  for (const [i, op] of ops.entries()) if (op.kind === 'set') expected[`key${i}`] = i;
  const lost = jsonDiff(stored.metadata, expected);
  if (lost !== undefined) throw new Error(`after ${ops.length} concurrent calls the metadata lost an update ${lost}`);
  const order: Returned[] = [
    { what: 'create', op: undefined, session: created },
    ...results.map((session, i) => ({ what: `${ops[i]!.kind} #${i}`, op: ops[i], session })),
  ].sort((a, b) => a.session.version - b.session.version);
  let timeoutMs = created.timeoutMs;
  for (const [at, { what, op, session }] of order.entries()) {
    if (op?.kind === 'setTimeout') {
      if (session.timeoutMs !== op.timeoutMs)
        throw new Error(`${what} to ${op.timeoutMs} handed back timeoutMs ${session.timeoutMs}`);
      timeoutMs = op.timeoutMs;
    }
    const previous = order[at - 1];
    if (previous === undefined) continue;
    const v = session.version;
    if (v === previous.session.version) {
      const diff = jsonDiff(session, previous.session);
      if (diff !== undefined)
        throw new Error(
          `${previous.what} and ${what} both handed back version ${v} but not the same session ${diff}: one write overwrote the other`,
        );
    } else if (session.lastAccessedAt < previous.session.lastAccessedAt) {
      throw new Error(
        `lastAccessedAt went back from ${previous.session.lastAccessedAt} (${previous.what}, version ${previous.session.version}) to ${session.lastAccessedAt} (${what}, version ${v})`,
      );
    }
  }
  const last = order.at(-1)!;
  const diff = jsonDiff(stored, last.session);
  if (diff !== undefined)
    throw new Error(
      `the stored session is not the last one handed back (${last.what}, version ${last.session.version}) ${diff}`,
    );
  if (stored.timeoutMs !== timeoutMs)
    throw new Error(
      `timeoutMs is ${stored.timeoutMs}, expected ${timeoutMs} from the last setTimeout (or create) in version order`,
    );
}

export const managerConcurrentUpdates: PropertyDef = {
  id: 'manager-concurrent-updates',
  statement:
    'Concurrent updateMetadata, touch and setTimeout calls from two managers sharing one backend (two instances when shared), in any interleaving, lose no write: every update is kept, the timeout is the last one set, lastAccessedAt never goes back.',
  requires: ['compareAndSet'],
  severity: 'critical',
  runs: 30,
  run: (ctx) =>
    fc.asyncProperty(
      interleavingArb,
      ticksArb,
      LONG_TIMEOUT,
      fc.array(racedOpArb, { minLength: 2, maxLength: 10 }),
      async (generated, ticks, timeoutMs, ops) =>
        ctx.withBackend((backend, fixture) =>
          withScheduler(generated, async (scheduler) => {
            const second = await secondInstance(ctx, backend, () => fixture.open());
            let reads = 0;
            const clock = (): number => ticks[reads++ % ticks.length]!;
            const managers = [backend, second].map((b, i) =>
              manager(ctx, scheduledBackend(b, scheduler, `instance${i}`), clock),
            );
            try {
              const created = await scheduler.waitFor(managers[0]!.create({ metadata: { count: 0 }, timeoutMs }));
              const done = await scheduler.waitFor(
                Promise.allSettled(ops.map((op, i) => race(managers[op.by]!, created.id, op, i))),
              );
              const results = done.map((outcome, i) => {
                if (outcome.status === 'rejected')
                  throw new Error(
                    `${ops[i]!.kind} #${i} failed: ${(outcome.reason as Error)?.message ?? outcome.reason}`,
                  );
                if (outcome.value === undefined) throw new Error(`${ops[i]!.kind} #${i} found no session`);
                return outcome.value;
              });
              // Timeouts outlast the clock span: the session is live at its end.
              checkRace(created, ops, results, await backend.fetch(created.id, CLOCK_SPAN));
            } finally {
              await Promise.all(managers.map((m) => m.close()));
            }
          }),
        ),
    ),
};

/** Disjoint patches: keys of the second never in the first. */
const patchPairArb = fc
  .tuple(
    fc.uniqueArray(fc.tuple(jsonKey, jsonValue), { minLength: 1, maxLength: 3, selector: ([key]) => key }),
    fc.uniqueArray(fc.tuple(jsonKey, jsonValue), { minLength: 1, maxLength: 3, selector: ([key]) => key }),
  )
  .map(([p, q]) => {
    const taken = new Set(p.map(([key]) => key));
    return [Object.fromEntries(p), Object.fromEntries(q.filter(([key]) => !taken.has(key)))] as const;
  })
  .filter(([, q]) => Object.keys(q).length > 0);

export const managerMetadataAlgebra: PropertyDef = {
  id: 'manager-metadata-algebra',
  statement:
    'Setting metadata keys is idempotent (p then p equals p) and sets of different keys commute (p then q equals q then p); each key reads back as set.',
  requires: [],
  severity: 'critical',
  runs: 20,
  run: (ctx) =>
    fc.asyncProperty(metadataArb, patchPairArb, async (initial, [p, q]) =>
      ctx.withBackend(async (backend) => {
        const m = manager(ctx, backend, () => 1000);
        try {
          const apply = async (patches: Metadata[]): Promise<Metadata> => {
            const { id } = await m.create({ metadata: initial, timeoutMs: null });
            for (const patch of patches) await m.updateMetadata(id, patch);
            const stored = await m.get(id);
            if (stored === undefined) throw new Error('the session vanished');
            return stored.metadata;
          };
          const once = await apply([p]);
          const twice = await apply([p, p]);
          const pq = await apply([p, q]);
          const qp = await apply([q, p]);
          const merged = Object.fromEntries([...Object.entries(initial), ...Object.entries(p), ...Object.entries(q)]);
          for (const [what, actual, expected] of [
            ['p then p vs p', twice, once],
            ['p then q vs q then p', pq, qp],
            ['p then q vs the keys of p and q set over the initial metadata', pq, merged],
          ] as const) {
            const diff = jsonDiff(actual, expected);
            if (diff !== undefined) throw new Error(`${what}: ${diff}`);
          }
        } finally {
          await m.close();
        }
      }),
    ),
};
