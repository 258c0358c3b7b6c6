// One session's writes, deletes and expiry never reach another, however similar the ids; and a
// backend never shares objects with its callers.
import fc from 'fast-check';
import type { Session } from '../../backends/contract.js';
import { clockSessionArb, containers, sessionArb, similarIds } from '../arbitraries/index.js';
import { copySession, expectSession, quote } from '../engine/compare.js';
import type { PropertyDef } from '../engine/define.js';
import { expiryOf, ReferenceModel } from '../engine/model.js';
import { expectCleanup, expectMatchesModel, storeAll } from '../engine/observe.js';
import { expectOk } from '../../backends/outcome.js';

type TargetOp =
  | { kind: 'store'; template: Session }
  | { kind: 'cas'; template: Session }
  | { kind: 'delete' }
  /** cleanupExpired at the target's expiry plus delta. */
  | { kind: 'expire'; delta: number };

const template = clockSessionArb(fc.constant(''));
const targetOpArb: fc.Arbitrary<TargetOp> = fc.oneof(
  template.map((t) => ({ kind: 'store' as const, template: t })),
  template.map((t) => ({ kind: 'cas' as const, template: t })),
  fc.constant({ kind: 'delete' as const }),
  fc.integer({ min: -1, max: 1 }).map((delta) => ({ kind: 'expire' as const, delta })),
);

/** A base, a pair of twins and up to five similarities. */
const GROUP_SIZE = 8;

/** Neighbours that outlive the target's clock (0..1000 with short timeouts), so expiring it leaves them. */
const neighbourArb = sessionArb({
  id: fc.constant(''),
  lastAccessedAt: fc.nat(1000),
  timeoutMs: fc.oneof(fc.constant(null), fc.integer({ min: 2000, max: 5000 })),
});

export const isolation: PropertyDef = {
  id: 'isolation',
  statement:
    'Storing, compare-and-setting, deleting or expiring one session never changes another, however similar their ids.',
  requires: [],
  severity: 'critical',
  runs: 30,
  run: (ctx) =>
    fc.asyncProperty(
      similarIds(GROUP_SIZE),
      fc.nat(),
      fc.array(neighbourArb, { minLength: GROUP_SIZE, maxLength: GROUP_SIZE }),
      template,
      fc.array(targetOpArb, { minLength: 1, maxLength: 5 }),
      async (group, pick, neighbours, initial, ops) =>
        ctx.withBackend(async (backend) => {
          const ids = group.map((member) => member.id);
          const target = ids[pick % ids.length]!;
          const model = new ReferenceModel();
          await storeAll(
            backend,
            model,
            ids.map((id, i) => ({ ...(id === target ? initial : neighbours[i]!), id })),
          );
          await expectMatchesModel(backend, model, { what: 'after storing the group' });
          for (const op of ops) {
            const what = `after ${op.kind} of ${quote(target)}`;
            let now = 0;
            if (op.kind === 'store' || op.kind === 'cas') {
              const expectedVersion = model.version(target);
              const session = { ...op.template, id: target, version: expectedVersion + 1 };
              const options = op.kind === 'cas' ? { expectedVersion } : undefined;
              await expectOk(() => backend.store(session, options), what);
              model.store(session);
            } else if (op.kind === 'delete') {
              const deleted = await backend.delete(target);
              if (deleted !== model.delete(target)) throw new Error(`${what}: delete() returned ${deleted}`);
            } else {
              const stored = model.peek(target);
              const expiry = stored === undefined ? null : expiryOf(stored);
              now = Math.max(0, (expiry ?? 1000) + op.delta);
              await expectCleanup(backend, model, now, what);
            }
            await expectMatchesModel(backend, model, { ids, nows: [0, now], what });
          }
        }),
    ),
};

/** Changes every field and every value at every depth, in place. */
function mutateEverything(session: Session): void {
  for (const { node } of containers(session.metadata)) {
    if (Array.isArray(node)) {
      node.fill('mutated');
      node.push('added');
    } else {
      const record = node as Record<string, unknown>;
      for (const key of Object.keys(record)) record[key] = 'mutated';
      record.added = true;
    }
  }
  session.id += '!';
  session.createdAt -= 1;
  session.lastAccessedAt += 1;
  session.timeoutMs = 7;
  session.version += 1;
}

const visibleSessionArb = sessionArb().filter((s) => expiryOf(s) !== 0);

export const copyIsolation: PropertyDef = {
  id: 'copy-isolation',
  statement: 'Mutating a fetched copy, or the object passed to store() once it resolved, never changes what is stored.',
  requires: [],
  severity: 'critical',
  runs: 25,
  run: (ctx) =>
    fc.asyncProperty(visibleSessionArb, visibleSessionArb, async (first, second) =>
      ctx.withBackend(async (backend) => {
        const id = first.id;
        const stored = copySession(first);
        const input = copySession(first);
        await expectOk(() => backend.store(input), 'store()');
        mutateEverything(input);
        expectSession(await backend.fetch(id, 0), stored, 'after mutating the object passed to store()');

        const fetched = await backend.fetch(id, 0);
        if (fetched !== undefined) mutateEverything(fetched);
        expectSession(await backend.fetch(id, 0), stored, 'after mutating a fetched copy');

        // The compare-and-set path copies too (a stored version of MAX_SAFE_INTEGER can't go up).
        const replaced = { ...copySession(second), id, version: Math.min(stored.version + 1, Number.MAX_SAFE_INTEGER) };
        const casInput = copySession(replaced);
        await expectOk(() => backend.store(casInput, { expectedVersion: stored.version }), 'compare-and-set store()');
        mutateEverything(casInput);
        expectSession(await backend.fetch(id, 0), replaced, 'after mutating the object passed to a compare-and-set');
      }),
    ),
};
