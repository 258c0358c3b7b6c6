// Parsers for the options a reference backend is opened with: a bad value is a setup error
// (INVALID_SESSION, like every other bad option), refused before anything is opened.
import { SessionError } from './errors.js';

/** A boolean option, or the default; anything else is a setup error. */
export function booleanOption(options: Record<string, unknown> | undefined, key: string, fallback: boolean): boolean {
  const value = options?.[key] ?? fallback;
  if (typeof value !== 'boolean') throw new SessionError('INVALID_SESSION', `option ${key} must be a boolean`);
  return value;
}

/** A positive integer option, or the default; anything else is a setup error. */
export function intOption(options: Record<string, unknown> | undefined, key: string, fallback: number): number {
  const value = options?.[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new SessionError('INVALID_SESSION', `option ${key} must be a positive integer`);
  }
  return value;
}

export type Durability = 'normal' | 'full';

export function durabilityOption(options: Record<string, unknown> | undefined): Durability {
  const value = options?.durability ?? 'normal';
  if (value !== 'normal' && value !== 'full') {
    throw new SessionError('INVALID_SESSION', "option durability must be 'normal' or 'full'");
  }
  return value;
}
