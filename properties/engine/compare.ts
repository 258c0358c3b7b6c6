// The suite's assertions over the contract's value equality (backends/json-diff.ts): a session, an
// id list, as a property expects them.
import type { Session } from '../../backends/contract.js';
import { jsonDiff, showValue as show } from '../../backends/json-diff.js';

/** An id as it appears in a failure message: quoted, escaped, and cut short when long. */
export function quote(id: string): string {
  const text = JSON.stringify(id);
  return text.length <= 48 ? text : `${text.slice(0, 40)}..." (${id.length} units)`;
}

/** Throws a failure naming `what` unless `actual` equals `expected` (undefined meaning "absent"). */
export function expectSession(actual: Session | undefined, expected: Session | undefined, what: string): void {
  if (expected === undefined) {
    if (actual !== undefined)
      throw new Error(`${what}: expected nothing, got a session (version ${show(actual.version)})`);
    return;
  }
  if (actual === undefined) throw new Error(`${what}: expected the session (version ${expected.version}), got nothing`);
  const diff = jsonDiff(actual, expected);
  if (diff !== undefined) throw new Error(`${what}: ${diff}`);
}

/** Throws unless `actual` holds exactly the ids `expected` holds, each once. */
export function expectIds(actual: readonly string[], expected: Iterable<string>, what: string): void {
  const got = [...actual].sort();
  const want = [...expected].sort();
  for (let i = 1; i < got.length; i++) {
    if (got[i] === got[i - 1]) throw new Error(`${what}: id ${show(got[i])} is listed twice`);
  }
  const gotSet = new Set(got);
  const wantSet = new Set(want);
  const missing = want.filter((id) => !gotSet.has(id));
  const extra = got.filter((id) => !wantSet.has(id));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(`${what}: missing ${show(missing)}, unexpected ${show(extra)}`);
  }
}

/** A deep copy of a valid session, so the expectation can't alias what a backend holds. */
export function copySession(session: Session): Session {
  return JSON.parse(JSON.stringify(session)) as Session;
}
