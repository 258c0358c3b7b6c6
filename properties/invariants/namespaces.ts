// Namespaces: two instances on one dir (or server) under different namespaces are two stores,
// even when they hold the same ids. A scan, cleanup or key scheme that forgets the namespace
// shows or removes a neighbour's sessions.
import fc from 'fast-check';
import type { SessionBackend } from '../../backends/contract.js';
import type { PropertyDef } from '../engine/define.js';
import { newWorld, twoInstanceRun, type Step, type World } from '../engine/model-run.js';
import { expectMatchesModel } from '../engine/observe.js';

/** A step on one namespace's instance, after which both instances must still match their own models. */
class InNamespace implements fc.AsyncCommand<World[], SessionBackend[]> {
  constructor(
    readonly step: Step,
    readonly on: number,
  ) {}
  check = (worlds: Readonly<World[]>): boolean => this.step.check(worlds[this.on]!);
  async run(worlds: World[], instances: SessionBackend[]): Promise<void> {
    await this.step.run(worlds[this.on]!, instances[this.on]!);
    for (const [i, instance] of instances.entries()) {
      const world = worlds[i]!;
      await expectMatchesModel(instance, world.model, {
        ids: world.ids,
        nows: [world.now, 0],
        what: `namespace ${i} after ${this}`,
      });
    }
  }
  toString = (): string => `${String(this.step)} in namespace ${this.on}`;
}

export const namespaceIsolation: PropertyDef = {
  id: 'namespace-isolation',
  statement:
    "Two instances on the same dir under different namespaces never see, change or clean up each other's sessions, even under the same ids.",
  requires: [],
  severity: 'critical',
  runs: 15,
  run: (ctx) =>
    twoInstanceRun(
      ctx,
      (step, on) => new InNamespace(step, on),
      (fixture) => fixture.openNeighbour(),
      (ids, start) => [newWorld(ids, start), newWorld(ids, start)],
    ),
};
