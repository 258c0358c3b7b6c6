// Timestamps and timeouts: zero, small, around now, near the end of the safe range.
import fc from 'fast-check';
import { SHRINK_TO_FIRST } from './readable.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Integer ms: zero, small, around now, near the end of the safe range, anywhere. */
export const timeArb: fc.Arbitrary<number> = fc.oneof(
  SHRINK_TO_FIRST,
  fc.constant(0),
  fc.nat(1_000_000),
  fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
  fc.integer({ min: MAX_SAFE - 1_000_000, max: MAX_SAFE }),
  fc.maxSafeNat(),
);

export const timeoutArb: fc.Arbitrary<number | null> = fc.oneof(
  SHRINK_TO_FIRST,
  fc.constant(null),
  fc.constant(0),
  fc.nat(100),
  fc.nat(86_400_000),
  fc.maxSafeNat(),
);
