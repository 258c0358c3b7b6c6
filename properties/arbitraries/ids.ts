// Session ids: any valid id, and groups of distinct ids so alike that a careless key mapping
// merges them.
import fc from 'fast-check';
import { MAX_ID_LENGTH } from '../../backends/validate.js';
import { SHRINK_TO_FIRST } from './readable.js';
import { text, textUnit } from './text.js';

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
  [
    'length limit',
    ['ending a', '', `${'x'.repeat(MAX_ID_LENGTH - 1)}a`],
    ['ending b', '', `${'x'.repeat(MAX_ID_LENGTH - 1)}b`],
  ],
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
    .tuple(
      idArb,
      fc.constantFrom(...TWINS),
      fc.uniqueArray(fc.constantFrom(...names), { maxLength: Math.max(0, size - 3) }),
    )
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
