// JSON values and session metadata: unusual keys, numbers at the edges of what JSON carries,
// long strings and deep nesting.
import fc from 'fast-check';
import type { Json, Session } from '../../backends/contract.js';
import { SHRINK_TO_FIRST } from './readable.js';
import { text } from './text.js';

export type Metadata = Session['metadata'];

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Keys that trip prototype handling, array-index ordering, dotted paths and query operators. */
const UNUSUAL_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  '',
  ' ',
  '\0',
  '0',
  '1',
  '-1',
  '01',
  '1.5',
  '4294967294',
  '4294967295',
  '9007199254740993',
  'length',
  '$',
  '$where',
  '$gt',
  '.',
  'a.b',
  '[0]',
  'null',
  'undefined',
  'NaN',
  'id',
  'version',
  'metadata',
];
export const jsonKey: fc.Arbitrary<string> = fc.oneof(
  SHRINK_TO_FIRST,
  { weight: 3, arbitrary: text({ maxLength: 8 }) },
  { weight: 2, arbitrary: fc.constantFrom(...UNUSUAL_KEYS) },
);

/** Doubles JSON must carry exactly: the safe-integer edge, past it, subnormals, extremes. */
const EDGE_NUMBERS = [
  0,
  1,
  -1,
  0.1,
  0.30000000000000004,
  1e-7,
  1e21,
  1e-300,
  123456789.12345678,
  MAX_SAFE,
  -MAX_SAFE,
  MAX_SAFE - 1,
  2 ** 53,
  -(2 ** 53),
  2 ** 53 + 2,
  2 ** 63,
  2 ** 64,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 32,
  4294967295,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2.2250738585072014e-308,
  Number.EPSILON,
];

/** Any finite JSON number except -0, which JSON cannot carry and the contract refuses. */
export const jsonNumber: fc.Arbitrary<number> = fc
  .oneof(
    fc.integer(),
    fc.integer({ min: MAX_SAFE - 1024, max: MAX_SAFE }),
    fc.integer({ min: -MAX_SAFE, max: -MAX_SAFE + 1024 }),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(...EDGE_NUMBERS),
  )
  .map((n) => (n === 0 ? 0 : n));

const shortLeaf: fc.Arbitrary<Json> = fc.oneof(
  SHRINK_TO_FIRST,
  fc.constant(null),
  fc.boolean(),
  jsonNumber,
  text({ maxLength: 16 }),
);
export const jsonLeaf: fc.Arbitrary<Json> = fc.oneof(
  SHRINK_TO_FIRST,
  { weight: 4, arbitrary: shortLeaf },
  { weight: 1, arbitrary: text({ minLength: 64, maxLength: 400 }) },
);

export function objectOf(value: fc.Arbitrary<Json>, maxLength: number): fc.Arbitrary<{ [key: string]: Json }> {
  // Object.fromEntries defines own properties, so "__proto__" stays a key, as JSON.parse has it.
  return fc
    .uniqueArray(fc.tuple(jsonKey, value), { maxLength, selector: ([key]) => key })
    .map((entries) => Object.fromEntries(entries));
}

const { json: jsonTree } = fc.letrec<{ json: Json; array: Json[]; object: { [key: string]: Json } }>((tie) => ({
  json: fc.oneof({ depthSize: 'small', maxDepth: 6 }, jsonLeaf, tie('array'), tie('object')),
  array: fc.array(tie('json'), { maxLength: 5 }),
  object: objectOf(tie('json'), 5),
}));

/** A value nested 16..160 levels deep, alternating arrays and objects. */
const deepJson: fc.Arbitrary<Json> = fc
  .tuple(fc.integer({ min: 16, max: 160 }), jsonKey, jsonLeaf)
  .map(([depth, key, leaf]) => {
    let value: Json = leaf;
    for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : Object.fromEntries([[key, value]]);
    return value;
  });

/** Every kind of JSON value, fast-check's own generator included. */
export const jsonValue: fc.Arbitrary<Json> = fc.oneof(
  SHRINK_TO_FIRST,
  { weight: 4, arbitrary: jsonTree },
  // Its doubles may be (or shrink to) -0, which the contract refuses: JSON text turns it into 0.
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.parse(JSON.stringify(value)) as Json) },
  { weight: 1, arbitrary: deepJson },
);

/** A few flat keys of short values: metadata that leaves room under a 4 KiB limit. */
export const smallMetadataArb: fc.Arbitrary<Metadata> = objectOf(shortLeaf, 3);

export const metadataArb: fc.Arbitrary<Metadata> = fc.oneof(
  SHRINK_TO_FIRST,
  { weight: 5, arbitrary: objectOf(jsonValue, 6) },
  { weight: 1, arbitrary: fc.tuple(jsonKey, deepJson).map(([key, value]) => Object.fromEntries([[key, value]])) },
  { weight: 1, arbitrary: fc.constant({}) },
);
