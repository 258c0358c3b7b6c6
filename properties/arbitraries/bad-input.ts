// Malformed input: values that are no valid id, `now` or store options, and sessions malformed
// one way at a time, each with the error code the contract gives it.
import fc from 'fast-check';
import type { Session } from '../../backends/contract.js';
import type { Metadata } from './json.js';
import { labelled } from './readable.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

type Factory = [what: string, make: () => unknown];

/** Values that are not JSON: each would be dropped, changed or choked on by JSON.stringify. */
const NOT_JSON: Factory[] = [
  ['a function', () => () => 1],
  ['undefined', () => undefined],
  ['a symbol', () => Symbol('s')],
  ['a BigInt', () => 1n],
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['-Infinity', () => -Infinity],
  ['-0', () => -0],
  ['a Date', () => new Date(0)],
  ['a Map', () => new Map([['k', 1]])],
  ['a Set', () => new Set([1])],
  [
    'a class instance',
    () =>
      new (class Point {
        x = 1;
      })(),
  ],
  ['a RegExp', () => /x/],
  ['a boxed string', () => new String('x')],
  ['an Error', () => new Error('x')],
  ['a typed array', () => new Uint8Array([1])],
  [
    'a sparse array',
    () => {
      const holes = [1];
      holes[2] = 3;
      return holes;
    },
  ],
  ['an array holding undefined', () => [1, undefined]],
  ['an object with a getter', () => Object.defineProperty({}, 'x', { get: () => 1, enumerable: true })],
  ['an object with a symbol key', () => ({ [Symbol('k')]: 1 })],
  ['an object with toJSON', () => ({ toJSON: () => 'x' })],
];

/** Timestamps that are not non-negative safe integers (-0 included: JSON would turn it into 0). */
const BAD_TIMES: Factory[] = [
  ['-1', () => -1],
  ['0.5', () => 0.5],
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['-0', () => -0],
  ['2^53', () => 2 ** 53],
  ['"5"', () => '5'],
  ['null', () => null],
  ['undefined', () => undefined],
  ['true', () => true],
  ['5n', () => 5n],
  ['{}', () => ({})],
  ['[1]', () => [1]],
];

const BAD_VERSIONS: Factory[] = [
  ['0', () => 0],
  ['-1', () => -1],
  ['1.5', () => 1.5],
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['-0', () => -0],
  ['2^53', () => 2 ** 53],
  ['"1"', () => '1'],
  ['null', () => null],
  ['undefined', () => undefined],
  ['1n', () => 1n],
];

const NOT_AN_OBJECT: Factory[] = [
  ['null', () => null],
  ['undefined', () => undefined],
  ['42', () => 42],
  ['"session"', () => 'session'],
  ['true', () => true],
  ['an array', () => []],
  ['a function', () => () => ({})],
];

const NOT_A_METADATA_OBJECT: Factory[] = [
  ...NOT_AN_OBJECT,
  ['an array of JSON', () => [1, 'a']],
  ['a Date', () => new Date(0)],
  ['a Map', () => new Map()],
  [
    'a class instance',
    () =>
      new (class Bag {
        a = 1;
      })(),
  ],
];

/** Ids that are not strings of 1..256 UTF-16 code units. */
const BAD_IDS: Factory[] = [
  ['the empty string', () => ''],
  ['257 units', () => 'x'.repeat(257)],
  ['1000 units', () => '\u{1F600}'.repeat(500)],
  ['a number', () => 42],
  ['null', () => null],
  ['undefined', () => undefined],
  ['an object', () => ({})],
  ['an array', () => ['a']],
  ['a boxed string', () => new String('a')],
  ['a symbol', () => Symbol('id')],
  ['a BigInt', () => 1n],
];

/** `now` values that are not non-negative safe integers. */
const BAD_NOWS: Factory[] = BAD_TIMES.filter(([what]) => what !== '-0');

const BAD_STORE_OPTIONS: Factory[] = [
  ['a string', () => 'x'],
  ['null', () => null],
  ['an array', () => []],
  ['a number', () => 1],
  ...BAD_VERSIONS.filter(([what]) => what !== 'undefined' && what !== '0').map(([what, make]): Factory => [
    `{ expectedVersion: ${what} }`,
    () => ({ expectedVersion: make() }),
  ]),
];

export interface BadValue {
  what: string;
  make: () => unknown;
}

function badValues(factories: Factory[]): fc.Arbitrary<BadValue> {
  return fc.constantFrom(...factories).map(([what, make]) => labelled({ what, make }, what));
}

export const badIdArb = badValues(BAD_IDS);
export const badNowArb = badValues(BAD_NOWS);
export const badStoreOptionsArb = badValues(BAD_STORE_OPTIONS);

export interface Malformation {
  what: string;
  code: 'INVALID_ID' | 'INVALID_SESSION';
  /** A malformed copy of a valid session (or something that is no session at all). */
  make(valid: Session): unknown;
}

function malformation(what: string, code: Malformation['code'], make: (valid: Session) => unknown): Malformation {
  return labelled({ what, code, make }, `${what} (${code})`);
}

function withField(valid: Session, field: keyof Session, value: unknown): unknown {
  return { ...valid, [field]: value };
}

function withoutField(valid: Session, field: keyof Session): unknown {
  const copy: Record<string, unknown> = { ...valid };
  delete copy[field];
  return copy;
}

function fieldWrong(
  field: keyof Session,
  factories: Factory[],
  code: Malformation['code'],
): fc.Arbitrary<Malformation> {
  return fc.oneof(
    fc
      .constantFrom(...factories)
      .map(([what, make]) => malformation(`${field} is ${what}`, code, (v) => withField(v, field, make()))),
    fc.constant(malformation(`${field} is missing`, code, (v) => withoutField(v, field))),
  );
}

/** Every container (object or array) in a JSON tree, each with its ancestors, root first. */
export function containers(root: object): { node: object; ancestors: object[] }[] {
  const found: { node: object; ancestors: object[] }[] = [];
  const visit = (node: object, ancestors: object[]): void => {
    found.push({ node, ancestors });
    for (const child of Object.values(node)) {
      if (typeof child === 'object' && child !== null) visit(child, [...ancestors, node]);
    }
  };
  visit(root, []);
  return found;
}

/** Puts `bad` into the index-th container of a copy of the metadata: pushed into an array, or as a new key. */
function inject(metadata: Metadata, index: number, bad: (ancestors: object[], node: object) => unknown): Metadata {
  const copy = JSON.parse(JSON.stringify(metadata)) as Metadata;
  const all = containers(copy);
  const { node, ancestors } = all[index % all.length]!;
  const value = bad(ancestors, node);
  if (Array.isArray(node)) node.push(value);
  else Object.defineProperty(node, `bad${index}`, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Non-JSON somewhere inside otherwise valid metadata: at the top or deep down. */
const badMetadataInside: fc.Arbitrary<Malformation> = fc.oneof(
  fc.tuple(fc.constantFrom(...NOT_JSON), fc.nat()).map(([[what, make], index]) =>
    malformation(`metadata holds ${what} in container #${index}`, 'INVALID_SESSION', (v) =>
      withField(
        v,
        'metadata',
        inject(v.metadata, index, () => make()),
      ),
    ),
  ),
  fc.tuple(fc.nat(), fc.nat()).map(([index, up]) =>
    malformation(`metadata has a cycle at container #${index}`, 'INVALID_SESSION', (v) =>
      withField(
        v,
        'metadata',
        inject(v.metadata, index, (ancestors, node) => [...ancestors, node][up % (ancestors.length + 1)]),
      ),
    ),
  ),
);

/** Each field wrong in turn, the relations between fields broken, non-JSON metadata, no object at all. */
export const malformedSessionArb: fc.Arbitrary<Malformation> = fc.oneof(
  fc
    .constantFrom(...NOT_AN_OBJECT)
    .map(([what, make]) => malformation(`the session is ${what}`, 'INVALID_SESSION', () => make())),
  fc
    .constantFrom(...BAD_IDS)
    .map(([what, make]) => malformation(`id is ${what}`, 'INVALID_ID', (v) => withField(v, 'id', make()))),
  fc.constant(malformation('id is missing', 'INVALID_ID', (v) => withoutField(v, 'id'))),
  fieldWrong('createdAt', BAD_TIMES, 'INVALID_SESSION'),
  fieldWrong('lastAccessedAt', BAD_TIMES, 'INVALID_SESSION'),
  fieldWrong(
    'timeoutMs',
    BAD_TIMES.filter(([what]) => what !== 'null'),
    'INVALID_SESSION',
  ),
  fieldWrong('version', BAD_VERSIONS, 'INVALID_SESSION'),
  fieldWrong('metadata', NOT_A_METADATA_OBJECT, 'INVALID_SESSION'),
  fc.constant(
    malformation('lastAccessedAt is before createdAt', 'INVALID_SESSION', (v) => ({
      ...v,
      createdAt: v.lastAccessedAt + 1,
    })),
  ),
  fc.constant(
    malformation('lastAccessedAt + timeoutMs is past 2^53', 'INVALID_SESSION', (v) => ({
      ...v,
      timeoutMs: MAX_SAFE - v.lastAccessedAt + 1,
    })),
  ),
  badMetadataInside,
);
