// The SessionManager's options, checked once at construction so a typo or a bad value is a
// clear setup error (INVALID_SESSION, like every other bad option) instead of odd behaviour later.
import { SessionError } from './errors.js';

/** What one timed cleanup did: how many sessions it removed, or why it failed. */
export type CleanupOutcome = { removed: number } | { error: unknown };

export interface ManagerOptions {
  /** Integer ms since the epoch (Date.now by default): the only source of `now` for the backend. */
  clock?: () => number;
  /** Idle timeout of a session created without one; null never expires. Default 30 minutes. */
  defaultTimeoutMs?: number | null;
  /** Period of the cleanup timer; null or undefined: no timer. */
  cleanupIntervalMs?: number | null;
  /** Compare-and-set retries after a CONFLICT before giving up with CONFLICT. Default 16. */
  maxRetries?: number;
  /** Lets create() take the caller's id. Off by default: ids come from the CSPRNG only. */
  acceptCallerIds?: boolean;
  /** Retries of a backend call that failed with UNAVAILABLE (e.g. during a failover). Default 0. */
  unavailableRetries?: number;
  /** First backoff before an UNAVAILABLE retry; doubles on each further retry. Default 50 ms. */
  backoffMs?: number;
  /** Whether close() also closes the backend. Default true. */
  closeBackend?: boolean;
  /** Told the outcome of each timed cleanup (not of cleanupExpired() calls, which return it). */
  onCleanup?: (outcome: CleanupOutcome) => void;
}

export type ResolvedOptions = Required<Omit<ManagerOptions, 'onCleanup'>> & Pick<ManagerOptions, 'onCleanup'>;

export const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;
export const DEFAULT_MAX_RETRIES = 16;
export const DEFAULT_BACKOFF_MS = 50;
/** setInterval silently turns a longer delay into 1 ms. */
const MAX_INTERVAL_MS = 2 ** 31 - 1;

const KNOWN = new Set<string>([
  'clock',
  'defaultTimeoutMs',
  'cleanupIntervalMs',
  'maxRetries',
  'acceptCallerIds',
  'unavailableRetries',
  'backoffMs',
  'closeBackend',
  'onCleanup',
]);

function bad(message: string): SessionError {
  return new SessionError('INVALID_SESSION', message);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && !Object.is(value, -0);
}

/** An idle timeout: null (never expires) or a non-negative integer of ms. */
export function checkTimeout(value: unknown, what: string): number | null {
  if (value === null || isCount(value)) return value;
  throw bad(`${what} must be null or a non-negative integer (ms)`);
}

function count(value: unknown, key: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!isCount(value)) throw bad(`option ${key} must be a non-negative integer`);
  return value;
}

function flag(value: unknown, key: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw bad(`option ${key} must be a boolean`);
  return value;
}

function callback<F>(value: unknown, key: string): F | undefined {
  if (value === undefined || typeof value === 'function') return value as F | undefined;
  throw bad(`option ${key} must be a function`);
}

function interval(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (!isCount(value) || value < 1 || value > MAX_INTERVAL_MS) {
    throw bad(`option cleanupIntervalMs must be null or an integer of 1..${MAX_INTERVAL_MS} ms`);
  }
  return value;
}

export function resolveOptions(options: ManagerOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw bad('SessionManager options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw bad(`unknown SessionManager option ${JSON.stringify(key)}`);
  }
  return {
    clock: callback<() => number>(options.clock, 'clock') ?? Date.now,
    defaultTimeoutMs:
      options.defaultTimeoutMs === undefined
        ? DEFAULT_TIMEOUT_MS
        : checkTimeout(options.defaultTimeoutMs, 'option defaultTimeoutMs'),
    cleanupIntervalMs: interval(options.cleanupIntervalMs),
    maxRetries: count(options.maxRetries, 'maxRetries', DEFAULT_MAX_RETRIES),
    acceptCallerIds: flag(options.acceptCallerIds, 'acceptCallerIds', false),
    unavailableRetries: count(options.unavailableRetries, 'unavailableRetries', 0),
    backoffMs: count(options.backoffMs, 'backoffMs', DEFAULT_BACKOFF_MS),
    closeBackend: flag(options.closeBackend, 'closeBackend', true),
    onCleanup: callback<(outcome: CleanupOutcome) => void>(options.onCleanup, 'onCleanup'),
  };
}
