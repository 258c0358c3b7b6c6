import { SessionError } from './errors.js';

/** Tracks whether a backend was closed, so every method can refuse with CLOSED. */
export class Lifecycle {
  #closed = false;

  constructor(private readonly name: string) {}

  get closed(): boolean {
    return this.#closed;
  }

  assertOpen(): void {
    if (this.#closed) throw new SessionError('CLOSED', `${this.name} backend is closed`);
  }

  /** Marks it closed; false when it already was, so close() stays idempotent. */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    return true;
  }
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
