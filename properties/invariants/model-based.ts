// Model-based: random command sequences against the reference model, every observation compared.
// fast-check shrinks a divergence to the shortest sequence that still shows it.
import fc from 'fast-check';
import type { PropertyDef } from '../engine/define.js';
import { idPoolArb, newWorld, SPAN, stepsFor } from '../engine/model-run.js';

export const modelBased: PropertyDef = {
  id: 'model',
  statement:
    'Any sequence of store, compare-and-set, fetch, delete, list, cleanup and clock moves (backwards too) agrees with the reference model at every step.',
  requires: [],
  severity: 'critical',
  runs: 20,
  run: (ctx) =>
    fc.asyncProperty(
      idPoolArb,
      fc.nat(SPAN),
      fc.commands(stepsFor(ctx.module), { maxCommands: ctx.profile.maxCommands, replayPath: ctx.replayPath }),
      async (ids, start, steps) =>
        ctx.withBackend(async (backend) =>
          fc.asyncModelRun(() => ({ model: newWorld(ids, start), real: backend }), steps),
        ),
    ),
};
