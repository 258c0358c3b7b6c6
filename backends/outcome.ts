// How a backend call ended, told apart by error `code` (plug-ins throw their own error classes).
// Two floors use it (the properties and the hostile-input scenario), so it lives on the ground floor.
import { errorCode } from './errors.js';

export type Outcome<T> =
  { ok: true; value: T } | { ok: false; error: unknown; code: string | undefined; sync: boolean };

function describeError(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code === undefined ? `an error without a code (${message})` : `${code} (${message})`;
}

/** Runs a backend call; a synchronous throw is recorded apart, since every method must return a promise. */
export async function attempt<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  let promise: Promise<T>;
  try {
    promise = call();
  } catch (error) {
    return { ok: false, error, code: errorCode(error), sync: true };
  }
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error, code: errorCode(error), sync: false };
  }
}

/** Fails unless the call rejects with exactly `code`. */
export async function expectCode(call: () => Promise<unknown>, code: string, what: string): Promise<void> {
  const outcome = await attempt(call);
  if (outcome.ok) throw new Error(`${what}: expected ${code}, but it resolved`);
  if (outcome.sync)
    throw new Error(`${what}: threw ${describeError(outcome.error)} synchronously instead of rejecting`);
  if (outcome.code !== code) throw new Error(`${what}: expected ${code}, got ${describeError(outcome.error)}`);
}

/** The call's value; a rejection fails with `what` and the error's code in the message. */
export async function expectOk<T>(call: () => Promise<T>, what: string): Promise<T> {
  const outcome = await attempt(call);
  if (!outcome.ok)
    throw new Error(`${what}: expected success, got ${describeError(outcome.error)}`, { cause: outcome.error });
  return outcome.value;
}
