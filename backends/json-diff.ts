// Value equality as the contract means it: "a session read back equals the one stored, field for
// field and value for value". Key order and prototypes are not values (a store may reorder keys,
// a parser may build null-prototype objects); types, -0 and extra or missing keys are. On the
// ground floor: the invariant suite and the linearizability checker both compare by it.

/** A value as a failure message shows it: short, with -0 and BigInt spelled out. */
export function showValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (Object.is(value, -0)) return '-0';
  const text = typeof value === 'string' || typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** The first difference between two JSON values, as "at <path>: <what>", or undefined when equal. */
export function jsonDiff(actual: unknown, expected: unknown, path = ''): string | undefined {
  const where = path === '' ? '(root)' : path;
  if (kind(actual) !== kind(expected)) return `at ${where}: got ${showValue(actual)}, expected ${showValue(expected)}`;
  if (typeof expected !== 'object' || expected === null) {
    return Object.is(actual, expected)
      ? undefined
      : `at ${where}: got ${showValue(actual)}, expected ${showValue(expected)}`;
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
    if (!Object.hasOwn(got, key)) return `at ${where}: key ${showValue(key)} is missing`;
    const diff = jsonDiff(got[key], want[key], `${path}[${showValue(key)}]`);
    if (diff !== undefined) return diff;
  }
  for (const key of Object.keys(got)) {
    if (!Object.hasOwn(want, key)) return `at ${where}: unexpected key ${showValue(key)}`;
  }
  return undefined;
}
