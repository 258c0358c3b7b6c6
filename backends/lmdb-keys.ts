// Key layout of the lmdb backend. One environment holds every namespace, told apart by a
// fixed-length prefix, so any number of namespaces fit (named databases are capped by maxDbs)
// and every key stays under LMDB's 1978-byte limit whatever the namespace's length.
import { createHash } from 'node:crypto';
import type { Key } from 'lmdb';
import { idKey } from './id-keys.js';

/** [namespace prefix, expiry (Infinity: never), idKey(id)]: ordered by expiry within a namespace. */
export type IndexKey = [prefix: string, expiry: number, idKey: string];

export interface Range {
  start: Key;
  end: Key;
}

const PREFIX_LENGTH = 22; // 132 bits of SHA-256: collisions are not a practical concern.

/** Hashes idKey(namespace), not the raw string, so lone surrogates can't make two namespaces one. */
export function namespacePrefix(namespace: string): string {
  return createHash('sha256').update(idKey(namespace)).digest('base64url').slice(0, PREFIX_LENGTH);
}

/** Key of a session and of its meta record. The prefix has a fixed length, so this is injective. */
export function recordKey(prefix: string, id: string): string {
  return prefix + idKey(id);
}

export function indexKey(prefix: string, expiry: number | null, idk: string): IndexKey {
  return [prefix, expiry ?? Infinity, idk];
}

/** Index entries expired at `now` (expiry <= now; expiries are integers). */
export function expiredRange(prefix: string, now: number): Range {
  return { start: [prefix], end: [prefix, now + 1] };
}

/** Index entries live at `now`; '#' sorts after the '"' every idKey starts with. */
export function liveRange(prefix: string, now: number): Range {
  return { start: [prefix, now + 1], end: [prefix, Infinity, '#'] };
}

/** Every index entry of one namespace. */
export function namespaceRange(prefix: string): Range {
  return { start: [prefix], end: [prefix, Infinity, '#'] };
}

export interface Meta {
  version: number;
  expiry: number | null;
}

/** The small record beside each session that lets a write find its old index entry. */
export function encodeMeta(version: number, expiry: number | null): string {
  return JSON.stringify([version, expiry]);
}

/** undefined when damaged: callers fall back to what the index itself says. */
export function decodeMeta(text: unknown): Meta | undefined {
  try {
    const value: unknown = typeof text === 'string' ? JSON.parse(text) : undefined;
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0])) {
      const [version, expiry] = value as [number, unknown];
      if (expiry === null || Number.isSafeInteger(expiry)) return { version, expiry: expiry as number | null };
    }
  } catch {
    // fall through: not JSON
  }
  return undefined;
}
