// The closed flag every reference backend keeps, so that each method after close() refuses alike.
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
