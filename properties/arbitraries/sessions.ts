// Valid sessions, built so every constraint of the contract holds, and sessions padded to within
// a few bytes of a size limit.
import fc from 'fast-check';
import type { Session } from '../../backends/contract.js';
import { quote } from '../engine/compare.js';
import { idArb } from './ids.js';
import { jsonLeaf, metadataArb, objectOf, smallMetadataArb, type Metadata } from './json.js';
import { labelled, SHRINK_TO_FIRST } from './readable.js';
import { timeArb, timeoutArb } from './time.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export const versionArb: fc.Arbitrary<number> = fc.oneof(
  SHRINK_TO_FIRST,
  fc.integer({ min: 1, max: 10 }),
  fc.integer({ min: 1, max: MAX_SAFE }),
);

export interface SessionConstraints {
  id?: fc.Arbitrary<string>;
  metadata?: fc.Arbitrary<Metadata>;
  lastAccessedAt?: fc.Arbitrary<number>;
  timeoutMs?: fc.Arbitrary<number | null>;
  version?: fc.Arbitrary<number>;
}

/** Builds a valid session from raw parts, saturating so every constraint of the contract holds. */
export function makeSession(
  id: string,
  lastAccessedAt: number,
  age: number,
  timeoutMs: number | null,
  version: number,
  metadata: Metadata,
): Session {
  return {
    id,
    createdAt: lastAccessedAt - Math.min(age, lastAccessedAt),
    lastAccessedAt,
    timeoutMs: timeoutMs === null ? null : Math.min(timeoutMs, MAX_SAFE - lastAccessedAt),
    version,
    metadata,
  };
}

/** Valid by construction: integer times, lastAccessedAt >= createdAt, a safe expiry. */
export function sessionArb(constraints: SessionConstraints = {}): fc.Arbitrary<Session> {
  return fc
    .tuple(
      constraints.id ?? idArb,
      constraints.lastAccessedAt ?? timeArb,
      fc.oneof(SHRINK_TO_FIRST, fc.constant(0), fc.nat(1_000_000), fc.maxSafeNat()),
      constraints.timeoutMs ?? timeoutArb,
      constraints.version ?? versionArb,
      constraints.metadata ?? metadataArb,
    )
    .map((parts) => makeSession(...parts));
}

/** Sessions on a small clock (0..span) with short timeouts, so clock moves hit expiry boundaries. */
export function clockSessionArb(id: fc.Arbitrary<string>, span = 1000): fc.Arbitrary<Session> {
  return sessionArb({
    id,
    lastAccessedAt: fc.nat(span),
    timeoutMs: fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: fc.nat(span / 4) }),
    version: fc.integer({ min: 1, max: 5 }),
    metadata: fc.oneof({ weight: 3, arbitrary: objectOf(jsonLeaf, 2) }, { weight: 1, arbitrary: metadataArb }),
  });
}

// ---- sizes --------------------------------------------------------------------------------

/** UTF-8 bytes of the session's JSON: the measure maxSessionBytes limits. */
export function sessionBytes(session: Session): number {
  return Buffer.byteLength(JSON.stringify(session), 'utf8');
}

/** Fillers of every UTF-8 and JSON-escape width: 1, 2, 3, 4 and 6 bytes. */
const FILLERS = ['a', 'é', '€', '\u{1F600}', '\n', '"', '\\', '\u2028', '\u0001', '\udc00'];
const PAD_KEY = 'padding';

/** The session with a metadata string padded so its JSON is exactly `bytes` long (or as short as it gets). */
export function padSession(session: Session, bytes: number, filler: string): Session {
  const padded = (pad: string): Session => ({
    ...session,
    metadata: Object.fromEntries([...Object.entries(session.metadata), [PAD_KEY, pad]]),
  });
  const room = bytes - sessionBytes(padded(''));
  if (room <= 0) return padded('');
  const width = Buffer.byteLength(JSON.stringify(filler), 'utf8') - 2;
  const count = Math.floor(room / width);
  return padded(filler.repeat(count) + 'a'.repeat(room - count * width));
}

export interface SizedSession {
  session: Session;
  bytes: number;
}

/**
 * Sessions within a few bytes of `target` on both sides (and up to 4 KiB over), padded with every
 * filler width: around a declared limit, they are just within it and just over.
 */
export function sizedSessionArb(target: number): fc.Arbitrary<SizedSession> {
  return fc
    .tuple(
      fc.oneof(fc.integer({ min: -4, max: 4 }), fc.integer({ min: -300, max: 300 }), fc.integer({ min: 1, max: 4096 })),
      fc.constantFrom(...FILLERS),
      sessionArb({ metadata: smallMetadataArb }),
    )
    .map(([delta, filler, base]) => {
      const session = padSession(base, target + delta, filler);
      const bytes = sessionBytes(session);
      return labelled(
        { session, bytes },
        `session ${quote(session.id)} of ${bytes} bytes (filler ${JSON.stringify(filler)})`,
      );
    });
}
