// What keeps counterexamples short and readable: values that print as a label, and oneof
// branches a failing value may shrink into.
import fc from 'fast-check';

/** For fc.oneof: a failing value may shrink into the first (simplest) branch, so counterexamples end up short. */
export const SHRINK_TO_FIRST = { withCrossShrink: true };

/** Gives a generated value a short, readable form in counterexamples. */
export function labelled<T extends object>(value: T, label: string): T {
  return Object.assign(value, { [fc.toStringMethod]: () => label });
}
