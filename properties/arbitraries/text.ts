// Text built from the characters session stores mishandle: lone surrogates, glob and LIKE
// wildcards, key separators, quotes, blanks, and characters that change under case folding.
import fc from 'fast-check';

/** Glob and LIKE wildcards, key separators, quotes, escapes, NUL and every kind of blank. */
export const SPECIAL_CHARS: readonly string[] = [
  ...'*?[]{}:%_\'"\\/.$#',
  '\0',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u000b',
  '\u00a0',
  '\u2028',
  '\u3000',
  '\ufeff',
  '\u200b',
];
/** Characters that change under case mapping or Unicode normalisation. */
const FOLDING_CHARS = [
  'é',
  'e\u0301',
  'Å',
  'A\u030a',
  '\u212b',
  '가',
  '\u1100\u1161',
  'ß',
  'ﬁ',
  'İ',
  'ı',
  '\u212a',
  'Σ',
  'ς',
];

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
