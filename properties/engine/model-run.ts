// Model-based runs: random command sequences against the reference model, every observation
// compared. fast-check shrinks a divergence to the shortest sequence that still shows it. The
// steps, the world they act on and the two-instance run are shared by the model, persistence,
// namespace and sharing properties.
import fc from 'fast-check';
import type { BackendModule, Session, SessionBackend } from '../../backends/contract.js';
import { clockSessionArb, idArb, similarIds } from '../arbitraries/index.js';
import { expectationArb, type Expectation } from './cas.js';
import { expectIds, expectSession } from './compare.js';
import type { PropertyContext } from './define.js';
import type { Fixture } from './fixture.js';
import { expiryOf, ReferenceModel } from './model.js';
import { expectCleanup } from './observe.js';
import { hasCapability } from './runner.js';
import { expectCode, expectOk } from '../../backends/outcome.js';

export interface World {
  model: ReferenceModel;
  /** The virtual clock every read and cleanup uses. */
  now: number;
  ids: readonly string[];
}

export type Step = fc.AsyncCommand<World, SessionBackend>;

export const SPAN = 1000;
const template = clockSessionArb(fc.constant(''), SPAN);
const pickArb = fc.nat(7);

function idOf(world: World, pick: number): string {
  return world.ids[pick % world.ids.length]!;
}

function describe(session: Session): string {
  return `v${session.version} at ${session.lastAccessedAt} timeout ${session.timeoutMs}`;
}

class StoreStep implements Step {
  constructor(
    readonly pick: number,
    readonly template: Session,
  ) {}
  check = (): boolean => true;
  async run(world: World, backend: SessionBackend): Promise<void> {
    const session = { ...this.template, id: idOf(world, this.pick) };
    await expectOk(() => backend.store(session), String(this));
    world.model.store(session);
  }
  toString = (): string => `store(ids[${this.pick}], ${describe(this.template)})`;
}

class CasStep implements Step {
  constructor(
    readonly pick: number,
    readonly template: Session,
    readonly expectation: Expectation,
  ) {}
  check = (): boolean => true;
  async run(world: World, backend: SessionBackend): Promise<void> {
    const id = idOf(world, this.pick);
    const current = world.model.version(id);
    const expectedVersion = Math.max(0, this.expectation.at(current));
    const session = { ...this.template, id, version: current + 1 };
    const what = `${this} with version ${current} stored`;
    if (world.model.store(session, expectedVersion) === 'stored')
      await expectOk(() => backend.store(session, { expectedVersion }), what);
    else await expectCode(() => backend.store(session, { expectedVersion }), 'CONFLICT', what);
  }
  toString = (): string =>
    `cas(ids[${this.pick}], expected ${fc.stringify(this.expectation)}, ${describe(this.template)})`;
}

class FetchStep implements Step {
  constructor(readonly pick: number) {}
  check = (): boolean => true;
  async run(world: World, backend: SessionBackend): Promise<void> {
    const id = idOf(world, this.pick);
    expectSession(
      await backend.fetch(id, world.now),
      world.model.fetch(id, world.now),
      `fetch(ids[${this.pick}], ${world.now})`,
    );
  }
  toString = (): string => `fetch(ids[${this.pick}])`;
}

class DeleteStep implements Step {
  constructor(readonly pick: number) {}
  check = (): boolean => true;
  async run(world: World, backend: SessionBackend): Promise<void> {
    const deleted = await backend.delete(idOf(world, this.pick));
    const expected = world.model.delete(idOf(world, this.pick));
    if (deleted !== expected) throw new Error(`${this} returned ${deleted}, expected ${expected}`);
  }
  toString = (): string => `delete(ids[${this.pick}])`;
}

class ListStep implements Step {
  check = (): boolean => true;
  async run(world: World, backend: SessionBackend): Promise<void> {
    expectIds(await backend.list(world.now), world.model.list(world.now), `list(${world.now})`);
  }
  toString = (): string => 'list()';
}

class CleanupStep implements Step {
  check = (): boolean => true;
  async run(world: World, backend: SessionBackend): Promise<void> {
    await expectCleanup(backend, world.model, world.now, 'cleanup');
  }
  toString = (): string => 'cleanupExpired()';
}

/** touch (contract v2) at the clock: its result, then what fetch shows, agree with the model. */
class TouchStep implements Step {
  constructor(
    readonly pick: number,
    readonly lastAccessedAt: (now: number, stored: Session | undefined) => number,
    readonly label: string,
  ) {}
  check = (): boolean => true;
  async run(world: World, backend: SessionBackend): Promise<void> {
    const id = idOf(world, this.pick);
    const lastAccessedAt = this.lastAccessedAt(world.now, world.model.peek(id));
    const what = `touch(ids[${this.pick}], ${lastAccessedAt}, ${world.now})`;
    const touched = await expectOk(() => backend.touch!(id, lastAccessedAt, world.now), what);
    expectSession(touched, world.model.touch(id, lastAccessedAt, world.now), what);
    expectSession(
      await backend.fetch(id, world.now),
      world.model.fetch(id, world.now),
      `fetch(ids[${this.pick}], ${world.now}) after ${what}`,
    );
  }
  toString = (): string => `touch(ids[${this.pick}], ${this.label})`;
}

/** Moves the virtual clock anywhere, backwards included. */
class ClockStep implements Step {
  constructor(readonly to: number) {}
  check = (): boolean => true;
  async run(world: World): Promise<void> {
    world.now = this.to;
  }
  toString = (): string => `clock := ${this.to}`;
}

/** Moves the clock to one millisecond around a stored session's expiry. */
class ExpiryClockStep implements Step {
  constructor(
    readonly pick: number,
    readonly delta: number,
  ) {}
  check = (world: Readonly<World>): boolean => {
    const stored = world.model.peek(idOf(world as World, this.pick));
    return stored !== undefined && expiryOf(stored) !== null;
  };
  async run(world: World): Promise<void> {
    world.now = Math.max(0, expiryOf(world.model.peek(idOf(world, this.pick))!)! + this.delta);
  }
  toString = (): string => `clock := expiry of ids[${this.pick}] ${this.delta < 0 ? '-' : '+'} ${Math.abs(this.delta)}`;
}

/** A few ids, often near-identical ones (a base, a pair of twins, up to two similarities). */
export const idPoolArb = fc.oneof(
  similarIds(5).map((group) => group.map((member) => member.id)),
  fc.uniqueArray(idArb, { minLength: 1, maxLength: 4 }),
);

export const storeStepArb: fc.Arbitrary<Step> = fc.tuple(pickArb, template).map(([pick, t]) => new StoreStep(pick, t));
const casStepArb = fc.tuple(pickArb, template, expectationArb).map(([pick, t, e]): Step => new CasStep(pick, t, e));

/** Every kind of step, each acting on one backend and checking what it observes against the model. */
const stepArbs: fc.Arbitrary<Step>[] = [
  storeStepArb,
  casStepArb,
  pickArb.map((pick) => new FetchStep(pick)),
  pickArb.map((pick) => new DeleteStep(pick)),
  fc.constant(new ListStep()),
  fc.constant(new CleanupStep()),
  fc.nat(SPAN + SPAN / 4).map((to) => new ClockStep(to)),
  fc.tuple(pickArb, fc.integer({ min: -1, max: 1 })).map(([pick, delta]) => new ExpiryClockStep(pick, delta)),
];

type TouchTime = [at: (now: number, stored: Session | undefined) => number, label: string];

/** A touch at the clock, carrying the clock itself, a time before the stored access (a clock that stepped back) or any time. */
export const touchStepArb: fc.Arbitrary<Step> = fc
  .tuple(
    pickArb,
    fc.oneof(
      { weight: 1, arbitrary: fc.constant<TouchTime>([(now) => now, 'now']) },
      {
        weight: 2,
        arbitrary: fc
          .integer({ min: 1, max: SPAN / 4 })
          .map((back): TouchTime => [
            (now, stored) => Math.max(0, (stored?.lastAccessedAt ?? now) - back),
            `stored access - ${back}`,
          ]),
      },
      { weight: 1, arbitrary: fc.nat(SPAN + SPAN / 4).map((at): TouchTime => [() => at, String(at)]) },
    ),
  )
  .map(([pick, [at, label]]) => new TouchStep(pick, at, label));

/** The steps a backend is held to: without compare-and-set, no CAS step (its CONFLICTs assume one). */
export function stepsFor(module: BackendModule): fc.Arbitrary<Step>[] {
  return hasCapability(module, 'compareAndSet') ? stepArbs : stepArbs.filter((arb) => arb !== casStepArb);
}

export function newWorld(ids: readonly string[], now: number): World {
  return { model: new ReferenceModel(), now, ids };
}

/**
 * Model-based runs over two instances of one fixture (the first, and the one `second` opens):
 * `wrap` says which instance each step acts on and what it checks after; `model` starts what
 * the steps check against.
 */
export function twoInstanceRun<M extends object>(
  ctx: PropertyContext,
  wrap: (step: Step, on: number) => fc.AsyncCommand<M, SessionBackend[]>,
  second: (fixture: Fixture) => Promise<SessionBackend>,
  model: (ids: readonly string[], start: number) => M,
): fc.IAsyncProperty<[readonly string[], number, Iterable<fc.AsyncCommand<M, SessionBackend[]>>]> {
  return fc.asyncProperty(
    idPoolArb,
    fc.nat(SPAN),
    fc.commands(
      stepsFor(ctx.module).map((arb) => fc.tuple(arb, fc.nat(1)).map(([step, on]) => wrap(step, on))),
      { maxCommands: ctx.profile.maxCommands, replayPath: ctx.replayPath },
    ),
    async (ids, start, steps) =>
      ctx.withBackend(async (first, fixture) => {
        const instances = [first, await second(fixture)];
        await fc.asyncModelRun(() => ({ model: model(ids, start), real: instances }), steps);
      }),
  );
}
