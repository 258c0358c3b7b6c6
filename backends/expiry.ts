// Expiry arithmetic of the contract, in one place: a session is expired at `now` when
// timeoutMs !== null && now >= lastAccessedAt + timeoutMs.
import type { Session } from './contract.js';

/** When the session expires, or null when it never does. */
export function expiresAt(session: Pick<Session, 'lastAccessedAt' | 'timeoutMs'>): number | null {
  return session.timeoutMs === null ? null : session.lastAccessedAt + session.timeoutMs;
}

/** Expired exactly at lastAccessedAt + timeoutMs, and after. */
export function isExpired(expiry: number | null, now: number): boolean {
  return expiry !== null && now >= expiry;
}
