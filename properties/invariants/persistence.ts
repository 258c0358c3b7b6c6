// Capability `persistent`: what one open() stored, the next open() of the same dir and namespace has.
import fc from 'fast-check';
import { sessionArb } from '../arbitraries/index.js';
import type { PropertyDef } from '../engine/define.js';
import { idPoolArb, newWorld, SPAN, stepsFor } from '../engine/model-run.js';
import { expectCleanup, expectMatchesModel, storeAll } from '../engine/observe.js';

export const persistence: PropertyDef = {
  id: 'persistence',
  statement:
    'Everything stored before close() (expired sessions not yet cleaned up included, deletions too) is there, unchanged, after a new open() of the same dir and namespace.',
  requires: ['persistent'],
  severity: 'critical',
  runs: 20,
  run: (ctx) =>
    fc.asyncProperty(
      fc.uniqueArray(sessionArb(), { maxLength: 4, selector: (s) => s.id }),
      idPoolArb,
      fc.nat(SPAN),
      fc.array(fc.oneof(...stepsFor(ctx.module)), { maxLength: 15 }),
      async (sessions, ids, start, steps) =>
        ctx.withBackend(async (first, fixture) => {
          const world = newWorld(ids, start);
          await storeAll(first, world.model, sessions);
          for (const step of steps) if (step.check(world)) await step.run(world, first);
          await first.close();
          const reopened = await fixture.open();
          const everyId = [...ids, ...sessions.map((s) => s.id)];
          await expectMatchesModel(reopened, world.model, {
            ids: everyId,
            nows: [0, world.now],
            what: 'after close() and open() again',
          });
          await expectCleanup(reopened, world.model, Number.MAX_SAFE_INTEGER, 'cleanup after reopening');
        }),
    ),
};
