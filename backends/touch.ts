// What the reference backends' touch() (contract v2) share: the argument checks of DESIGN's table
// and the session a touch writes. Each backend makes the read and the write one atomic step its
// own way; the redis backend does the same in Lua (redis-scripts.ts).
import type { Session } from './contract.js';
import { SessionError } from './errors.js';
import { type RecordCodec, sealRecord } from './codec.js';
import { idKey } from './id-keys.js';
import { checkId, checkNow } from './validate.js';

/** A bad id is INVALID_ID; a `lastAccessedAt` or `now` that is not a non-negative safe integer is INVALID_SESSION. */
export function checkTouchArguments(id: unknown, lastAccessedAt: unknown, now: unknown): void {
  checkId(id);
  checkNow(now);
  try {
    checkNow(lastAccessedAt);
  } catch {
    throw new SessionError('INVALID_SESSION', 'lastAccessedAt must be a non-negative safe integer (ms)');
  }
}

/**
 * The stored session touched: lastAccessedAt = max(stored, lastAccessedAt), version + 1, every
 * other field as stored. Past the safe-integer limits it refuses with INVALID_SESSION, before
 * anything is written, instead of clamping: a version that stops counting up breaks
 * compare-and-set, and an expiry past 2^53 - 1 can't be compared exactly. store() refuses the
 * same session, so a manager's fetch + compare-and-set fallback answers alike.
 */
export function touchedSession(stored: Session, lastAccessedAt: number): Session {
  const next = {
    ...stored,
    lastAccessedAt: Math.max(stored.lastAccessedAt, lastAccessedAt),
    version: stored.version + 1,
  };
  if (!Number.isSafeInteger(next.version)) {
    throw new SessionError('INVALID_SESSION', 'touch would take the version past 2^53 - 1');
  }
  if (next.timeoutMs !== null && !Number.isSafeInteger(next.lastAccessedAt + next.timeoutMs)) {
    throw new SessionError('INVALID_SESSION', 'touch would take lastAccessedAt + timeoutMs past 2^53 - 1');
  }
  return next;
}

/** encodeSession's fields after the id, up to the metadata, in its fixed order. */
const FIELDS = /(\d+),"lastAccessedAt":\d+,"timeoutMs":(\d+|null),"version":\d+,"metadata":/y;

/** The JSON text of `next` made from `text`, the one of the session it touched; undefined unless in encodeSession's layout. */
function editedText(text: string, next: Session): string | undefined {
  const head = `{"id":${idKey(next.id)},"createdAt":`; // JSON.stringify writes the id as idKey does
  if (!text.startsWith(head)) return undefined;
  FIELDS.lastIndex = head.length;
  const fields = FIELDS.exec(text);
  if (fields === null) return undefined;
  const [, createdAt, timeoutMs] = fields;
  return `${head}${createdAt},"lastAccessedAt":${next.lastAccessedAt},"timeoutMs":${timeoutMs},"version":${next.version},"metadata":${text.slice(FIELDS.lastIndex)}`;
}

/**
 * The record to store for `next`, a touch of the session `record` holds (already decoded, so its
 * digest checked): its two numbers edited in place rather than the session encoded anew, so the
 * metadata is neither walked nor stringified again (the redis script edits the same way). Falls
 * back to codec.encode for a text not in encodeSession's layout.
 */
export function touchedRecord(codec: RecordCodec, record: string, next: Session, maxBytes: number): string {
  const text = editedText(record.slice(record.indexOf('{')), next); // past a sealed record's hex digest
  if (text === undefined) return codec.encode(next, maxBytes);
  if (Buffer.byteLength(text, 'utf8') > maxBytes)
    throw new SessionError('TOO_LARGE', `session is over the ${maxBytes}-byte limit`);
  return codec.sealed ? sealRecord(text) : text;
}
