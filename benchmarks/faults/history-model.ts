// The sequential model of one session id, as DESIGN's contract defines it, for the linearizability
// checker: the state is what is stored under the id (a session, expired or not, or nothing), and
// each recorded operation, applied as one atomic step, either fits the state and its result
// (giving the states it may leave) or cannot have happened there.
import type { Session } from '../../backends/contract.js';
import { expiresAt, isExpired } from '../../backends/expiry.js';
import { jsonDiff } from '../../backends/json-diff.js';
import { touchedSession } from '../../backends/touch.js';
import type { HistoryEvent } from './history.js';

/** What is stored under the id: expiry is judged at each read's own `now`. */
export type ModelState = Session | undefined;

/** Definite failures that still say something about the state: a CONFLICT means the version differed. */
const INFORMATIVE_FAILURES = new Set(['CONFLICT']);

/** Whether the event's result is known: completed, and neither ambiguous nor never answered. */
export function isDefinite(event: HistoryEvent): boolean {
  return event.completedAt !== null && event.outcome.type !== 'info';
}

/**
 * Whether the event constrains the history at all: a definite failure other than CONFLICT changed
 * nothing and said nothing (bad input, CLOSED), and a read whose answer never came tells nothing.
 */
export function isRelevant(event: HistoryEvent): boolean {
  if (event.outcome.type === 'fail') return event.call.f === 'store' && INFORMATIVE_FAILURES.has(event.outcome.code);
  return isDefinite(event) || event.call.f !== 'fetch';
}

export function sameSession(a: Session | undefined, b: Session | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return jsonDiff(a, b) === undefined;
}

/** The session a read returned: null and undefined both mean "nothing". */
export function returnedSession(event: HistoryEvent): Session | undefined {
  if (event.outcome.type !== 'ok') return undefined;
  const value = event.outcome.value;
  return value === null || typeof value !== 'object' ? undefined : value;
}

function live(state: ModelState, now: number): Session | undefined {
  return state !== undefined && !isExpired(expiresAt(state), now) ? state : undefined;
}

function touched(state: Session, lastAccessedAt: number): Session | undefined {
  try {
    return touchedSession(state, lastAccessedAt);
  } catch {
    return undefined; // past the safe-integer limits: the touch is refused and changes nothing
  }
}

/**
 * The states `event` may leave when it takes effect atomically on `state`: [] when it can't have
 * happened there (its result contradicts the state), several when its outcome is ambiguous (it
 * took effect, or it never did). cleanupExpired and a store's own TTL are not modelled, except
 * that a delete of a session with a timeout may find it already gone.
 */
export function step(state: ModelState, event: HistoryEvent): ModelState[] {
  const { call, outcome } = event;
  const definite = isDefinite(event);
  const version = state?.version ?? 0;
  switch (call.f) {
    case 'store': {
      const allowed = call.expectedVersion === undefined || version === call.expectedVersion;
      if (outcome.type === 'fail') return allowed ? [] : [state]; // CONFLICT: the version differed
      if (definite) return allowed ? [call.session] : [];
      return allowed ? [call.session, state] : [state];
    }
    case 'fetch': {
      return sameSession(live(state, call.now), returnedSession(event)) ? [state] : [];
    }
    case 'touch': {
      const current = live(state, call.now);
      const next = current === undefined ? undefined : touched(current, call.lastAccessedAt);
      if (!definite) return next === undefined ? [state] : [next, state];
      if (!sameSession(next, returnedSession(event))) return [];
      return [next ?? state];
    }
    case 'delete': {
      if (!definite) return state === undefined ? [state] : [undefined, state];
      const deleted = outcome.type === 'ok' && outcome.value === true;
      const possible = state === undefined ? [false] : state.timeoutMs === null ? [true] : [true, false];
      return possible.includes(deleted) ? [undefined] : [];
    }
  }
}

/** The session a write made, when its result says so: a store's session, a touch's answer. */
export function producedSession(event: HistoryEvent): Session | undefined {
  if (event.call.f === 'store' && event.outcome.type !== 'fail') return event.call.session;
  if (event.call.f === 'touch' && isDefinite(event)) return returnedSession(event);
  return undefined;
}

/**
 * Whether the rest of a history can explain where an event's answer came from: a read's session
 * must have been written, a touch's answer must be a touch of something written, a CAS from
 * version v needs a write of v, a delete that deleted needs a write. The shrinker keeps
 * sub-histories explained, so that a minimal anomaly is never "a read of a value nobody wrote"
 * made by removing the write.
 */
export function explainedBy(event: HistoryEvent, writes: readonly HistoryEvent[]): boolean {
  const made = writes.filter((w) => w !== event).map(producedSession);
  const { call, outcome } = event;
  if (call.f === 'fetch') {
    const read = returnedSession(event);
    return read === undefined || made.some((s) => sameSession(s, read));
  }
  if (call.f === 'touch') {
    const read = returnedSession(event);
    return (
      read === undefined || made.some((s) => s !== undefined && sameSession(touched(s, call.lastAccessedAt), read))
    );
  }
  if (call.f === 'store') {
    const expected = call.expectedVersion;
    if (outcome.type !== 'ok' || expected === undefined || expected === 0) return true;
    return made.some((s) => s?.version === expected);
  }
  return !(outcome.type === 'ok' && outcome.value === true) || made.some((s) => s !== undefined);
}
