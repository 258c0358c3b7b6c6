// Value equality as the contract means it: "a session read back equals the one stored, field for
// field and value for value". Key order and prototypes are not values (a store may reorder keys,
// a parser may build null-prototype objects); types, -0 and extra or missing keys are.
import type { Session } from '../../backends/contract.js';

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (Object.is(value, -0)) return '-0';
  const text = typeof value === 'string' || typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** An id as it appears in a failure message: quoted, escaped, and cut short when long. */
export function quote(id: string): string {
  const text = JSON.stringify(id);
  return text.length <= 48 ? text : `${text.slice(0, 40)}..." (${id.length} units)`;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** The first difference between two JSON values, as "at <path>: <what>", or undefined when equal. */
export function jsonDiff(actual: unknown, expected: unknown, path = ''): string | undefined {
  const where = path === '' ? '(root)' : path;
  if (kind(actual) !== kind(expected)) return `at ${where}: got ${show(actual)}, expected ${show(expected)}`;
  if (typeof expected !== 'object' || expected === null) {
    return Object.is(actual, expected) ? undefined : `at ${where}: got ${show(actual)}, expected ${show(expected)}`;
  }
  if (Array.isArray(expected)) {
    const got = actual as unknown[];
    if (got.length !== expected.length) return `at ${where}: got ${got.length} items, expected ${expected.length}`;
    for (let i = 0; i < expected.length; i++) {
      const diff = jsonDiff(got[i], expected[i], `${path}[${i}]`);
      if (diff !== undefined) return diff;
    }
    return undefined;
  }
  const got = actual as Record<string, unknown>;
  const want = expected as Record<string, unknown>;
  for (const key of Object.keys(want)) {
    if (!Object.hasOwn(got, key)) return `at ${where}: key ${show(key)} is missing`;
    const diff = jsonDiff(got[key], want[key], `${path}[${show(key)}]`);
    if (diff !== undefined) return diff;
  }
  for (const key of Object.keys(got)) {
    if (!Object.hasOwn(want, key)) return `at ${where}: unexpected key ${show(key)}`;
  }
  return undefined;
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
