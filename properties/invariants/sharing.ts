// Capability `shared`: two instances open at once are one store: each sees the other's writes
// and deletes at once, and compare-and-set is atomic across them.
import fc from 'fast-check';
import type { SessionBackend } from '../../backends/contract.js';
import { concurrentCas } from '../engine/cas.js';
import type { PropertyDef } from '../engine/define.js';
import { newWorld, twoInstanceRun, type Step, type World } from '../engine/model-run.js';
import { expectMatchesModel } from '../engine/observe.js';

/** A step on one instance, after which every other instance must already show its effect. */
class OnInstance implements fc.AsyncCommand<World, SessionBackend[]> {
  constructor(
    readonly step: Step,
    readonly on: number,
  ) {}
  check = (world: Readonly<World>): boolean => this.step.check(world);
  async run(world: World, instances: SessionBackend[]): Promise<void> {
    await this.step.run(world, instances[this.on]!);
    for (const [i, other] of instances.entries()) {
      if (i === this.on) continue;
      await expectMatchesModel(other, world.model, {
        ids: world.ids,
        nows: [world.now, 0],
        what: `instance ${i} right after ${this}`,
      });
    }
  }
  toString = (): string => `${String(this.step)} on instance ${this.on}`;
}

export const sharingVisibility: PropertyDef = {
  id: 'sharing-visibility',
  statement:
    "Two instances open on the same dir and namespace see each other's writes, compare-and-sets, deletes and cleanups at once.",
  requires: ['shared'],
  // A stale read across instances serves overwritten or deleted data.
  severity: 'critical',
  runs: 15,
  run: (ctx) =>
    twoInstanceRun(
      ctx,
      (step, on) => new OnInstance(step, on),
      (fixture) => fixture.open(),
      (ids, start) => newWorld(ids, start),
    ),
};

export const sharingCas: PropertyDef = {
  id: 'sharing-cas',
  statement:
    'Of concurrent compare-and-sets from the same version on two instances, in any interleaving, exactly one wins and both instances store the winner.',
  requires: ['shared', 'compareAndSet'],
  severity: 'critical',
  runs: 25,
  run: (ctx) => concurrentCas(ctx, 2),
};
