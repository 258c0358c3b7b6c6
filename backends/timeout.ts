// The one way this project bounds a wait: race a promise against a timer that never outlives
// the race (a connect, a QUIT, a property run, an operation that may hang, a child process).

/** setTimeout fires at once beyond this delay, so longer waits are capped to it. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Settles as `promise` does when it settles within `ms`. Otherwise rejects with an Error whose
 * message is `onTimeout`, or, given `{ resolveWith }`, resolves to that value (for callers that
 * treat the timeout as an outcome, not a failure). The timer is cleared either way.
 */
export function withTimeout<T>(promise: PromiseLike<T>, ms: number, onTimeout: string): Promise<T>;
export function withTimeout<T, U>(promise: PromiseLike<T>, ms: number, onTimeout: { resolveWith: U }): Promise<T | U>;
export async function withTimeout<T, U>(
  promise: PromiseLike<T>,
  ms: number,
  onTimeout: string | { resolveWith: U },
): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<U>((resolve, reject) => {
    timer = setTimeout(
      () => (typeof onTimeout === 'string' ? reject(new Error(onTimeout)) : resolve(onTimeout.resolveWith)),
      Math.min(ms, MAX_DELAY_MS),
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
