// Escaping for XML and HTML text. XML 1.0 cannot carry most control characters, U+FFFE/U+FFFF
// or lone surrogates at all (not even as character references), and counterexamples are full
// of them, so those are written as visible \uXXXX escapes instead of being dropped.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Characters XML 1.0 forbids, plus lone surrogates (a paired surrogate is one legal code point). */
const ILLEGAL =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The text with every character XML 1.0 can't carry made visible; used for Markdown too. */
export function legalText(text: string): string {
  return text.replace(ILLEGAL, visible);
}

/** Text content: legal in XML 1.0 and in HTML. */
export function escapeText(text: string): string {
  return legalText(text).replace(/[&<>]/g, (c) => ENTITIES[c]!);
}

/** Attribute values: also keeps quotes and whitespace (newlines would be normalised to spaces). */
export function escapeAttribute(text: string): string {
  return legalText(text)
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!)
    .replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}
