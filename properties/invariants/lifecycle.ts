// After close(), every method rejects with CLOSED, whatever its arguments; close() stays idempotent.
import fc from 'fast-check';
import type { Session, SessionBackend } from '../../backends/contract.js';
import {
  badIdArb,
  badNowArb,
  malformedSessionArb,
  sessionArb,
  type BadValue,
  type Malformation,
} from '../arbitraries/index.js';
import type { PropertyDef } from '../engine/define.js';
import { ReferenceModel } from '../engine/model.js';
import { storeAll } from '../engine/observe.js';
import { expectCode, expectOk } from '../../backends/outcome.js';

function callsAfterClose(
  session: Session,
  now: number,
  badId: BadValue,
  badNow: BadValue,
  malformed: Malformation,
): [string, (b: SessionBackend) => Promise<unknown>][] {
  return [
    ['store(session)', (b) => b.store(session)],
    ['store(session, { expectedVersion })', (b) => b.store(session, { expectedVersion: session.version })],
    [`store() of a malformed session (${malformed.what})`, (b) => b.store(malformed.make(session) as Session)],
    [`fetch(id, ${now})`, (b) => b.fetch(session.id, now)],
    [`fetch() with a bad id (${badId.what})`, (b) => b.fetch(badId.make() as string, now)],
    ['delete(id)', (b) => b.delete(session.id)],
    [`delete() with a bad id (${badId.what})`, (b) => b.delete(badId.make() as string)],
    [`list(${now})`, (b) => b.list(now)],
    [`list() with a bad now (${badNow.what})`, (b) => b.list(badNow.make() as number)],
    [`cleanupExpired(${now})`, (b) => b.cleanupExpired(now)],
  ];
}

export const lifecycleClosed: PropertyDef = {
  id: 'lifecycle-closed',
  statement: 'After close(), every method rejects with CLOSED (whatever its arguments), and close() again resolves.',
  requires: [],
  severity: 'major',
  runs: 15,
  run: (ctx) =>
    fc.asyncProperty(
      fc.uniqueArray(sessionArb(), { minLength: 1, maxLength: 3, selector: (s) => s.id }),
      fc.nat(),
      badIdArb,
      badNowArb,
      malformedSessionArb,
      async (sessions, now, badId, badNow, malformed) =>
        ctx.withBackend(async (backend) => {
          await storeAll(backend, new ReferenceModel(), sessions);
          await expectOk(() => backend.close(), 'close()');
          for (const [what, call] of callsAfterClose(sessions[0]!, now, badId, badNow, malformed)) {
            await expectCode(() => call(backend), 'CLOSED', `${what} after close()`);
          }
          await expectOk(() => backend.close(), 'a second close()');
        }),
    ),
};
