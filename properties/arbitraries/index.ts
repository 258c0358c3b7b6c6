// The suite's generators, composed from small parts as fast-check's own are. They are broad on
// purpose: the bugs session stores ship hide in lone surrogates, glob characters, "__proto__"
// keys, integers past 2^53 and payloads one byte over a limit, not in "abc" and 42.
export {
  badIdArb,
  badNowArb,
  badStoreOptionsArb,
  containers,
  malformedSessionArb,
  type BadValue,
  type Malformation,
} from './bad-input.js';
export { idArb, managerStyleId, similarIds, type SimilarId } from './ids.js';
export { jsonKey, jsonNumber, jsonValue, metadataArb, smallMetadataArb } from './json.js';
export { labelled } from './readable.js';
export {
  clockSessionArb,
  makeSession,
  padSession,
  sessionArb,
  sessionBytes,
  sizedSessionArb,
  versionArb,
  type SessionConstraints,
  type SizedSession,
} from './sessions.js';
export { SPECIAL_CHARS, text, textUnit } from './text.js';
export { timeArb, timeoutArb } from './time.js';
