// The reference model of the contract: a Map and the rules of DESIGN.md, written out here
// rather than borrowed from backends/validate.ts so that an oracle bug and a backend bug can't
// cancel out. Only valid sessions ever reach it.
import type { Session } from '../../backends/contract.js';
import { copySession } from './compare.js';

/** When a session expires, or null when it never does. */
export function expiryOf(session: Session): number | null {
  return session.timeoutMs === null ? null : session.lastAccessedAt + session.timeoutMs;
}

/** Expired at exactly lastAccessedAt + timeoutMs, and after. */
export function expiredAt(session: Session, now: number): boolean {
  const expiry = expiryOf(session);
  return expiry !== null && now >= expiry;
}

export type StoreResult = 'stored' | 'conflict';

export class ReferenceModel {
  /** Everything stored, expired or not: only cleanupExpired, delete and store remove or replace. */
  readonly #sessions = new Map<string, Session>();

  /** The stored version, expired or not; 0 when missing. */
  version(id: string): number {
    return this.#sessions.get(id)?.version ?? 0;
  }

  /** The stored session, expired or not. */
  peek(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  ids(): string[] {
    return [...this.#sessions.keys()];
  }

  store(session: Session, expectedVersion?: number): StoreResult {
    if (expectedVersion !== undefined && this.version(session.id) !== expectedVersion) return 'conflict';
    this.#sessions.set(session.id, copySession(session));
    return 'stored';
  }

  fetch(id: string, now: number): Session | undefined {
    const session = this.#sessions.get(id);
    return session === undefined || expiredAt(session, now) ? undefined : copySession(session);
  }

  /** touch (contract v2): a live session gets lastAccessedAt = max(stored, given) and version + 1; nothing else changes. */
  touch(id: string, lastAccessedAt: number, now: number): Session | undefined {
    const session = this.#sessions.get(id);
    if (session === undefined || expiredAt(session, now)) return undefined;
    const touched = {
      ...session,
      lastAccessedAt: Math.max(session.lastAccessedAt, lastAccessedAt),
      version: session.version + 1,
    };
    this.#sessions.set(id, touched);
    return copySession(touched);
  }

  delete(id: string): boolean {
    return this.#sessions.delete(id);
  }

  list(now: number): string[] {
    return [...this.#sessions.values()].filter((s) => !expiredAt(s, now)).map((s) => s.id);
  }

  cleanupExpired(now: number): number {
    let removed = 0;
    for (const [id, session] of this.#sessions) {
      if (expiredAt(session, now)) {
        this.#sessions.delete(id);
        removed++;
      }
    }
    return removed;
  }
}
