// The suite's generators, composed from small parts as fast-check's own are. They are broad on
// purpose: the bugs session stores ship hide in lone surrogates, glob characters, "__proto__"
// keys, integers past 2^53 and payloads one byte over a limit, not in "abc" and 42.
import fc from 'fast-check';
import type { Json, Session } from '../../backends/contract.js';
import { quote } from '../engine/compare.js';

type Metadata = Session['metadata'];

export const MAX_ID_LENGTH = 256;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** For fc.oneof: a failing value may shrink into the first (simplest) branch, so counterexamples end up short. */
const SHRINK_TO_FIRST = { withCrossShrink: true };

/** Gives a generated value a short, readable form in counterexamples. */
export function labelled<T extends object>(value: T, label: string): T {
  return Object.assign(value, { [fc.toStringMethod]: () => label });
}

// ---- text ---------------------------------------------------------------------------------

/** Glob and LIKE wildcards, key separators, quotes, escapes, NUL and every kind of blank. */
export const SPECIAL_CHARS: readonly string[] = [
  ...'*?[]{}:%_\'"\\/.$#',
  '\0', ' ', '\t', '\n', '\r', '\u000b', '\u00a0', '\u2028', '\u3000', '\ufeff', '\u200b',
];
/** Characters that change under case mapping or Unicode normalisation. */
const FOLDING_CHARS = ['é', 'e\u0301', 'Å', 'A\u030a', '\u212b', '가', '\u1100\u1161', 'ß', 'ﬁ', 'İ', 'ı', '\u212a', 'Σ', 'ς'];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

/** One piece of text: any code point, a lone surrogate, a special or a folding character. */
export const textUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_CHARS) },
  { weight: 1, arbitrary: fc.constantFrom(...FOLDING_CHARS) },
  { weight: 1, arbitrary: loneSurrogate },
);

export function text(constraints: { minLength?: number; maxLength: number }): fc.Arbitrary<string> {
  return fc.string({ unit: textUnit, ...constraints });
}

// ---- ids ----------------------------------------------------------------------------------

const hexDigit = fc.constantFrom(...'0123456789abcdef');
/** The format the manager issues. */
export const managerStyleId = fc.string({ unit: hexDigit, minLength: 32, maxLength: 32 });

function clampId(id: string): string {
  return id.slice(0, MAX_ID_LENGTH);
}

/** Any valid id: 1..256 UTF-16 code units of any characters, often short, sometimes the full 256. */
export const idArb: fc.Arbitrary<string> = fc.oneof(
  SHRINK_TO_FIRST,
  { weight: 6, arbitrary: text({ minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: text({ minLength: 100, maxLength: MAX_ID_LENGTH }).map(clampId) },
  { weight: 1, arbitrary: managerStyleId },
  {
    weight: 1,
    arbitrary: fc
      .tuple(text({ maxLength: 8 }), textUnit)
      .map(([head, fill]) => clampId(head + fill.repeat(MAX_ID_LENGTH))),
  },
);

/** Ways two ids can differ by so little that a careless store confuses them. */
const SIMILARITIES: Record<string, (id: string) => string> = {
  'drop last unit': (id) => id.slice(0, -1),
  'drop first unit': (id) => id.slice(1),
  'trailing space': (id) => `${id} `,
  'leading space': (id) => ` ${id}`,
  'trailing NUL': (id) => `${id}\0`,
  'trailing tab': (id) => `${id}\t`,
  trimmed: (id) => id.trim(),
  'upper case': (id) => id.toUpperCase(),
  'lower case': (id) => id.toLowerCase(),
  NFC: (id) => id.normalize('NFC'),
  NFD: (id) => id.normalize('NFD'),
  NFKC: (id) => id.normalize('NFKC'),
  'lone surrogates as U+FFFD': (id) => id.replace(/\p{Cs}/gu, '\ufffd'),
  'with a lone high surrogate': (id) => `${id}\ud800`,
  'with a lone low surrogate': (id) => `${id}\udc00`,
  'U+FFFD appended': (id) => `${id}\ufffd`,
  'pair cut to its high half': (id) => id.replace(/([\ud800-\udbff])[\udc00-\udfff]/, '$1'),
  'last unit as *': (id) => `${id.slice(0, -1)}*`,
  'last unit as ?': (id) => `${id.slice(0, -1)}?`,
  'last unit as %': (id) => `${id.slice(0, -1)}%`,
  'last unit as _': (id) => `${id.slice(0, -1)}_`,
  'glob suffix *': (id) => `${id}*`,
  'separator suffix :': (id) => `${id}:`,
  'separator prefix :': (id) => `:${id}`,
  'JSON-escaped': (id) => JSON.stringify(id).slice(1, -1),
  'JSON-quoted': (id) => JSON.stringify(id),
  'backslash suffix': (id) => `${id}\\`,
};

/** One of a twin pair: how it differs, and what goes before and after the (cut) base. */
type TwinSide = [how: string, prefix: string, suffix: string];

/**
 * Pairs of distinct ids that one careless key mapping turns into the same key. A single
 * similarity catches such a store only when the base holds the right character or when the two
 * derivations that collide happen to be picked together; a twin pair collides whatever the base.
 */
const TWINS: [name: string, ...sides: [TwinSide, TwinSide]][] = [
  // RTRIM and PAD SPACE collations, trim().
  ['trailing space', ['as is', '', ''], ['with a trailing space', '', ' ']],
  // NOCASE and case-insensitive collations.
  ['ASCII case', ['upper', '', 'A'], ['lower', '', 'a']],
  // File systems and stores that normalise names. Neither letter composes with what precedes it.
  ['NFC', ['precomposed', '', '\u00e9'], ['decomposed', '', 'e\u0301']],
  ['NFKC', ['ligature', '', '\ufb01'], ['letters', '', 'fi']],
  // UTF-8 encoding turns a lone surrogate into U+FFFD. A high surrogate last and a low one first
  // stay lone whatever the base holds.
  ['UTF-8', ['lone high surrogate last', '', '\ud800'], ['U+FFFD last', '', '\ufffd']],
  ['UTF-8', ['lone low surrogate first', '\udc00', ''], ['U+FFFD first', '\ufffd', '']],
  // C strings end at NUL.
  ['NUL', ['as is', '', ''], ['with NUL and more', '', '\0x']],
  // An id used as a LIKE pattern or a Redis glob matches others. '0' sorts before '_', so a
  // pattern read returning the first match in key order finds the other twin.
  ['LIKE _', ['_', '', '_'], ['any one char', '', '0']],
  ['LIKE %', ['%', '', '%'], ['any suffix', '', 'xyz']],
  ['glob *', ['*', '', '*'], ['any suffix', '', 'xyz']],
  ['glob ?', ['?', '', '?'], ['any one char', '', 'a']],
  ['glob [a]', ['[a]', '', '[a]'], ['a', '', 'a']],
  // Keys cut to a column width or a key-length limit: the base gives way to a long common prefix.
  ['length limit', ['ending a', '', `${'x'.repeat(MAX_ID_LENGTH - 1)}a`], ['ending b', '', `${'x'.repeat(MAX_ID_LENGTH - 1)}b`]],
];

export interface SimilarId {
  id: string;
  /** How it was derived from the first id of the group. */
  how: string;
}

/**
 * 2..size distinct valid ids: a base, one pair of twins derived from it (the base cut so both
 * fit), and up to size-3 of the similarities above.
 */
export function similarIds(size = 6): fc.Arbitrary<SimilarId[]> {
  const names = Object.keys(SIMILARITIES);
  return fc
    .tuple(idArb, fc.constantFrom(...TWINS), fc.uniqueArray(fc.constantFrom(...names), { maxLength: Math.max(0, size - 3) }))
    .map(([base, [twin, ...sides], how]) => {
      const room = Math.max(...sides.map(([, prefix, suffix]) => prefix.length + suffix.length));
      const stem = base.slice(0, MAX_ID_LENGTH - room);
      const cut = stem === base ? '' : ` (base cut to ${stem.length} units)`;
      const derived: SimilarId[] = [
        ...sides.map(([side, prefix, suffix]) => ({ id: prefix + stem + suffix, how: `twin ${twin}: ${side}${cut}` })),
        ...how.map((name) => ({ id: SIMILARITIES[name]!(base), how: name })),
      ];
      // The twins differ from each other, so the group always holds two ids.
      const group: SimilarId[] = [{ id: base, how: 'base' }];
      const seen = new Set([base]);
      for (const member of derived) {
        if (member.id.length < 1 || member.id.length > MAX_ID_LENGTH || seen.has(member.id)) continue;
        seen.add(member.id);
        group.push(member);
      }
      return group;
    });
}

// ---- JSON ---------------------------------------------------------------------------------

/** Keys that trip prototype handling, array-index ordering, dotted paths and query operators. */
const UNUSUAL_KEYS = [
  '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__',
  '', ' ', '\0', '0', '1', '-1', '01', '1.5', '4294967294', '4294967295', '9007199254740993', 'length',
  '$', '$where', '$gt', '.', 'a.b', '[0]', 'null', 'undefined', 'NaN', 'id', 'version', 'metadata',
];
export const jsonKey: fc.Arbitrary<string> = fc.oneof(
  SHRINK_TO_FIRST,
  { weight: 3, arbitrary: text({ maxLength: 8 }) },
  { weight: 2, arbitrary: fc.constantFrom(...UNUSUAL_KEYS) },
);

/** Doubles JSON must carry exactly: the safe-integer edge, past it, subnormals, extremes. */
const EDGE_NUMBERS = [
  0, 1, -1, 0.1, 0.30000000000000004, 1e-7, 1e21, 1e-300, 123456789.12345678,
  MAX_SAFE, -MAX_SAFE, MAX_SAFE - 1, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 2 ** 63, 2 ** 64,
  2 ** 31 - 1, -(2 ** 31), 2 ** 32, 4294967295,
  Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, Number.EPSILON,
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

const shortLeaf: fc.Arbitrary<Json> = fc.oneof(SHRINK_TO_FIRST, fc.constant(null), fc.boolean(), jsonNumber, text({ maxLength: 16 }));
const jsonLeaf: fc.Arbitrary<Json> = fc.oneof(
  SHRINK_TO_FIRST,
  { weight: 4, arbitrary: shortLeaf },
  { weight: 1, arbitrary: text({ minLength: 64, maxLength: 400 }) },
);

function objectOf(value: fc.Arbitrary<Json>, maxLength: number): fc.Arbitrary<{ [key: string]: Json }> {
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

// ---- sessions -----------------------------------------------------------------------------

/** Integer ms: zero, small, around now, near the end of the safe range, anywhere. */
export const timeArb: fc.Arbitrary<number> = fc.oneof(
  SHRINK_TO_FIRST,
  fc.constant(0),
  fc.nat(1_000_000),
  fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
  fc.integer({ min: MAX_SAFE - 1_000_000, max: MAX_SAFE }),
  fc.maxSafeNat(),
);

export const timeoutArb: fc.Arbitrary<number | null> = fc.oneof(
  SHRINK_TO_FIRST,
  fc.constant(null),
  fc.constant(0),
  fc.nat(100),
  fc.nat(86_400_000),
  fc.maxSafeNat(),
);

export const versionArb: fc.Arbitrary<number> = fc.oneof(
  SHRINK_TO_FIRST,
  fc.integer({ min: 1, max: 10 }),
  fc.integer({ min: 1, max: MAX_SAFE }),
);

export interface SessionConstraints {
  id?: fc.Arbitrary<string>;
  metadata?: fc.Arbitrary<Metadata>;
  lastAccessedAt?: fc.Arbitrary<number>;
  timeoutMs?: fc.Arbitrary<number | null>;
  version?: fc.Arbitrary<number>;
}

/** Builds a valid session from raw parts, saturating so every constraint of the contract holds. */
export function makeSession(
  id: string,
  lastAccessedAt: number,
  age: number,
  timeoutMs: number | null,
  version: number,
  metadata: Metadata,
): Session {
  return {
    id,
    createdAt: lastAccessedAt - Math.min(age, lastAccessedAt),
    lastAccessedAt,
    timeoutMs: timeoutMs === null ? null : Math.min(timeoutMs, MAX_SAFE - lastAccessedAt),
    version,
    metadata,
  };
}

/** Valid by construction: integer times, lastAccessedAt >= createdAt, a safe expiry. */
export function sessionArb(constraints: SessionConstraints = {}): fc.Arbitrary<Session> {
  return fc
    .tuple(
      constraints.id ?? idArb,
      constraints.lastAccessedAt ?? timeArb,
      fc.oneof(SHRINK_TO_FIRST, fc.constant(0), fc.nat(1_000_000), fc.maxSafeNat()),
      constraints.timeoutMs ?? timeoutArb,
      constraints.version ?? versionArb,
      constraints.metadata ?? metadataArb,
    )
    .map((parts) => makeSession(...parts));
}

/** Sessions on a small clock (0..span) with short timeouts, so clock moves hit expiry boundaries. */
export function clockSessionArb(id: fc.Arbitrary<string>, span = 1000): fc.Arbitrary<Session> {
  return sessionArb({
    id,
    lastAccessedAt: fc.nat(span),
    timeoutMs: fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: fc.nat(span / 4) }),
    version: fc.integer({ min: 1, max: 5 }),
    metadata: fc.oneof({ weight: 3, arbitrary: objectOf(jsonLeaf, 2) }, { weight: 1, arbitrary: metadataArb }),
  });
}

// ---- sizes --------------------------------------------------------------------------------

/** UTF-8 bytes of the session's JSON: the measure maxSessionBytes limits. */
export function sessionBytes(session: Session): number {
  return Buffer.byteLength(JSON.stringify(session), 'utf8');
}

/** Fillers of every UTF-8 and JSON-escape width: 1, 2, 3, 4 and 6 bytes. */
const FILLERS = ['a', 'é', '€', '\u{1F600}', '\n', '"', '\\', '\u2028', '\u0001', '\udc00'];
const PAD_KEY = 'padding';

/** The session with a metadata string padded so its JSON is exactly `bytes` long (or as short as it gets). */
export function padSession(session: Session, bytes: number, filler: string): Session {
  const padded = (pad: string): Session => ({
    ...session,
    metadata: Object.fromEntries([...Object.entries(session.metadata), [PAD_KEY, pad]]),
  });
  const room = bytes - sessionBytes(padded(''));
  if (room <= 0) return padded('');
  const width = Buffer.byteLength(JSON.stringify(filler), 'utf8') - 2;
  const count = Math.floor(room / width);
  return padded(filler.repeat(count) + 'a'.repeat(room - count * width));
}

export interface SizedSession {
  /** The limit the backend is opened with; undefined: its default (1 MiB). */
  maxSessionBytes: number | undefined;
  limit: number;
  session: Session;
  bytes: number;
}

/**
 * Sessions within a few bytes of the limit, on both sides, padded with every filler width. Most
 * runs use the small limit (cheap to fill); one in eight uses the 1 MiB default.
 */
export function sizedSessionArb(smallLimit: number | undefined, defaultLimit: number): fc.Arbitrary<SizedSession> {
  const limit: fc.Arbitrary<number | undefined> =
    smallLimit === undefined
      ? fc.constant(undefined)
      : fc.oneof({ weight: 7, arbitrary: fc.constant(smallLimit) }, { weight: 1, arbitrary: fc.constant(undefined) });
  return fc
    .tuple(
      limit,
      fc.oneof(fc.integer({ min: -4, max: 4 }), fc.integer({ min: -300, max: 300 }), fc.integer({ min: 1, max: 4096 })),
      fc.constantFrom(...FILLERS),
      sessionArb({ metadata: smallMetadataArb }),
    )
    .map(([maxSessionBytes, delta, filler, base]) => {
      const limit = maxSessionBytes ?? defaultLimit;
      const session = padSession(base, limit + delta, filler);
      const bytes = sessionBytes(session);
      return labelled(
        { maxSessionBytes, limit, session, bytes },
        `session ${quote(session.id)} of ${bytes} bytes (limit ${limit}, filler ${JSON.stringify(filler)})`,
      );
    });
}

// ---- malformed input ----------------------------------------------------------------------

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
  ['a class instance', () => new (class Point { x = 1; })()],
  ['a RegExp', () => /x/],
  ['a boxed string', () => new String('x')],
  ['an Error', () => new Error('x')],
  ['a typed array', () => new Uint8Array([1])],
  ['a sparse array', () => { const holes = [1]; holes[2] = 3; return holes; }],
  ['an array holding undefined', () => [1, undefined]],
  ['an object with a getter', () => Object.defineProperty({}, 'x', { get: () => 1, enumerable: true })],
  ['an object with a symbol key', () => ({ [Symbol('k')]: 1 })],
  ['an object with toJSON', () => ({ toJSON: () => 'x' })],
];

/** Timestamps that are not non-negative safe integers (-0 included: JSON would turn it into 0). */
const BAD_TIMES: Factory[] = [
  ['-1', () => -1], ['0.5', () => 0.5], ['NaN', () => NaN], ['Infinity', () => Infinity], ['-0', () => -0],
  ['2^53', () => 2 ** 53], ['"5"', () => '5'], ['null', () => null], ['undefined', () => undefined],
  ['true', () => true], ['5n', () => 5n], ['{}', () => ({})], ['[1]', () => [1]],
];

const BAD_VERSIONS: Factory[] = [
  ['0', () => 0], ['-1', () => -1], ['1.5', () => 1.5], ['NaN', () => NaN], ['Infinity', () => Infinity],
  ['-0', () => -0], ['2^53', () => 2 ** 53], ['"1"', () => '1'], ['null', () => null], ['undefined', () => undefined], ['1n', () => 1n],
];

const NOT_AN_OBJECT: Factory[] = [
  ['null', () => null], ['undefined', () => undefined], ['42', () => 42], ['"session"', () => 'session'],
  ['true', () => true], ['an array', () => []], ['a function', () => () => ({})],
];

const NOT_A_METADATA_OBJECT: Factory[] = [
  ...NOT_AN_OBJECT,
  ['an array of JSON', () => [1, 'a']],
  ['a Date', () => new Date(0)],
  ['a Map', () => new Map()],
  ['a class instance', () => new (class Bag { a = 1; })()],
];

/** Ids that are not strings of 1..256 UTF-16 code units. */
const BAD_IDS: Factory[] = [
  ['the empty string', () => ''], ['257 units', () => 'x'.repeat(257)], ['1000 units', () => '\u{1F600}'.repeat(500)],
  ['a number', () => 42], ['null', () => null], ['undefined', () => undefined], ['an object', () => ({})],
  ['an array', () => ['a']], ['a boxed string', () => new String('a')], ['a symbol', () => Symbol('id')], ['a BigInt', () => 1n],
];

/** `now` values that are not non-negative safe integers. */
const BAD_NOWS: Factory[] = BAD_TIMES.filter(([what]) => what !== '-0');

const BAD_STORE_OPTIONS: Factory[] = [
  ['a string', () => 'x'], ['null', () => null], ['an array', () => []], ['a number', () => 1],
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

function fieldWrong(field: keyof Session, factories: Factory[], code: Malformation['code']): fc.Arbitrary<Malformation> {
  return fc.oneof(
    fc.constantFrom(...factories).map(([what, make]) => malformation(`${field} is ${what}`, code, (v) => withField(v, field, make()))),
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
  fc
    .tuple(fc.constantFrom(...NOT_JSON), fc.nat())
    .map(([[what, make], index]) =>
      malformation(`metadata holds ${what} in container #${index}`, 'INVALID_SESSION', (v) =>
        withField(v, 'metadata', inject(v.metadata, index, () => make())),
      ),
    ),
  fc.tuple(fc.nat(), fc.nat()).map(([index, up]) =>
    malformation(`metadata has a cycle at container #${index}`, 'INVALID_SESSION', (v) =>
      withField(v, 'metadata', inject(v.metadata, index, (ancestors, node) => [...ancestors, node][up % (ancestors.length + 1)])),
    ),
  ),
);

/** Each field wrong in turn, the relations between fields broken, non-JSON metadata, no object at all. */
export const malformedSessionArb: fc.Arbitrary<Malformation> = fc.oneof(
  fc.constantFrom(...NOT_AN_OBJECT).map(([what, make]) => malformation(`the session is ${what}`, 'INVALID_SESSION', () => make())),
  fc.constantFrom(...BAD_IDS).map(([what, make]) => malformation(`id is ${what}`, 'INVALID_ID', (v) => withField(v, 'id', make()))),
  fc.constant(malformation('id is missing', 'INVALID_ID', (v) => withoutField(v, 'id'))),
  fieldWrong('createdAt', BAD_TIMES, 'INVALID_SESSION'),
  fieldWrong('lastAccessedAt', BAD_TIMES, 'INVALID_SESSION'),
  fieldWrong('timeoutMs', BAD_TIMES.filter(([what]) => what !== 'null'), 'INVALID_SESSION'),
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
