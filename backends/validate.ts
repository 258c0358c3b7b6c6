// One validation for every reference backend, so bad input gets the same error everywhere
// and is refused before anything is written.
import type { Json, Session, StoreOptions } from './contract.js';
import { SessionError } from './errors.js';

export const MAX_ID_LENGTH = 256;
/** Default per-session limit on the stored JSON, in UTF-8 bytes. */
export const DEFAULT_MAX_SESSION_BYTES = 1024 * 1024;
/** JSON nesting deeper than this is refused rather than risking a stack overflow. */
export const MAX_METADATA_DEPTH = 512;

const SESSION_FIELDS = ['id', 'createdAt', 'lastAccessedAt', 'timeoutMs', 'version', 'metadata'] as const;

export function checkId(id: unknown): string {
  if (typeof id !== 'string' || id.length < 1 || id.length > MAX_ID_LENGTH) {
    throw new SessionError('INVALID_ID', `session id must be a string of 1..${MAX_ID_LENGTH} characters`);
  }
  return id;
}

/** Safe, non-negative integer; -0 is refused because it can't survive JSON. */
function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && !Object.is(value, -0);
}

/** `now` is not part of a session, but a bad one is bad input all the same. */
export function checkNow(now: unknown): number {
  if (!isTime(now)) throw new SessionError('INVALID_SESSION', 'now must be a non-negative safe integer (ms)');
  return now;
}

export function checkStoreOptions(options: unknown): number | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new SessionError('INVALID_SESSION', 'store options must be an object');
  }
  const { expectedVersion } = options as StoreOptions;
  if (expectedVersion === undefined) return undefined;
  if (!isTime(expectedVersion)) {
    throw new SessionError('INVALID_SESSION', 'expectedVersion must be a non-negative integer');
  }
  return expectedVersion;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function invalid(path: string, what: string): SessionError {
  return new SessionError('INVALID_SESSION', `metadata${path} ${what}`);
}

/** Refuses anything JSON.stringify would drop, change or choke on. */
function checkJson(value: unknown, path: string, ancestors: Set<object>, depth: number): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw invalid(path, 'is not a finite number');
      if (Object.is(value, -0)) throw invalid(path, 'is -0, which JSON cannot represent');
      return;
    case 'object':
      break;
    default:
      throw invalid(path, `is a ${typeof value}, not JSON`);
  }
  if (value === null) return;
  if (depth > MAX_METADATA_DEPTH) throw invalid(path, `nests deeper than ${MAX_METADATA_DEPTH}`);
  if (ancestors.has(value)) throw invalid(path, 'contains a cycle');
  ancestors.add(value);
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw invalid(path, 'is not a plain array');
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw invalid(`${path}[${i}]`, 'is a hole in a sparse array');
      checkJson(value[i], `${path}[${i}]`, ancestors, depth + 1);
    }
  } else {
    if (!isPlainObject(value)) throw invalid(path, 'is a class instance, not a plain object');
    if (Object.getOwnPropertySymbols(value).length > 0) throw invalid(path, 'has symbol keys');
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw invalid(path, 'has a toJSON method');
    for (const key of Object.keys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
      if (descriptor.get || descriptor.set) throw invalid(`${path}.${key}`, 'is an accessor');
      checkJson(descriptor.value, `${path}.${key}`, ancestors, depth + 1);
    }
  }
  ancestors.delete(value);
}

/**
 * Checks every field. `deep` walks the metadata too; decoding skips that walk because
 * JSON.parse can only build plain JSON, and a damaged value that still parses can't be told
 * from a real one by any check here (it costs half of a fetch on a 10 KB session).
 */
export function checkSession(session: unknown, deep = true): Session {
  if (typeof session !== 'object' || session === null || Array.isArray(session)) {
    throw new SessionError('INVALID_SESSION', 'a session must be an object');
  }
  const s = session as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!(SESSION_FIELDS as readonly string[]).includes(key)) {
      throw new SessionError('INVALID_SESSION', `unknown session field ${JSON.stringify(key)}`);
    }
  }
  checkId(s.id);
  if (!isTime(s.createdAt)) throw new SessionError('INVALID_SESSION', 'createdAt must be a non-negative integer (ms)');
  if (!isTime(s.lastAccessedAt)) {
    throw new SessionError('INVALID_SESSION', 'lastAccessedAt must be a non-negative integer (ms)');
  }
  if (s.lastAccessedAt < s.createdAt) throw new SessionError('INVALID_SESSION', 'lastAccessedAt must be >= createdAt');
  if (s.timeoutMs !== null) {
    if (!isTime(s.timeoutMs))
      throw new SessionError('INVALID_SESSION', 'timeoutMs must be null or a non-negative integer');
    if (!Number.isSafeInteger(s.lastAccessedAt + s.timeoutMs)) {
      throw new SessionError('INVALID_SESSION', 'lastAccessedAt + timeoutMs must be a safe integer');
    }
  }
  if (!isTime(s.version) || s.version < 1) throw new SessionError('INVALID_SESSION', 'version must be an integer >= 1');
  if (typeof s.metadata !== 'object' || s.metadata === null || Array.isArray(s.metadata)) {
    throw new SessionError('INVALID_SESSION', 'metadata must be a plain object');
  }
  if (deep) checkJson(s.metadata, '', new Set(), 0);
  return s as unknown as Session;
}

export function isJson(value: unknown): value is Json {
  try {
    checkJson(value, '', new Set(), 0);
    return true;
  } catch {
    return false;
  }
}
