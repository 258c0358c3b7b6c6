// What a non-linearizable history of one id shows: its smallest anomalous sub-history (shrunk by
// removing operations while it stays non-linearizable and every answer in it stays explained by a
// write in it), what kind of anomaly that is, and the sub-history printed one operation a line.
import type { Session } from '../../backends/contract.js';
import { explainedBy, isRelevant, producedSession, returnedSession, sameSession } from './history-model.js';
import type { HistoryEvent } from './history.js';
import { searchLinearization } from './linearizability-search.js';

/**
 * The anomalies named, checked in this order on the smallest history:
 * - 'lost-update': two acknowledged writes from the same version: two compare-and-set stores with
 *   the same expectedVersion, or such a store and a touch (or two touches) whose answers say they
 *   started from it. Linearized, the second would have seen the first's version: one was lost.
 * - 'stale-read': a fetch returned nothing or an older version than a write that completed before
 *   the fetch was invoked, with no delete in between, and that write's session (or a later version)
 *   was read at some point of the whole history: it was there, the read was served from the past.
 * - 'acknowledged-write-lost': the same, but no read of the whole history ever returns that write's
 *   session or a later version: the acknowledged write is gone.
 * - 'other': not linearizable in another way (a wrong CONFLICT, a wrong delete answer, ...).
 */
export type AnomalyKind = 'lost-update' | 'stale-read' | 'acknowledged-write-lost' | 'other';

export interface Anomaly {
  id: string;
  kind: AnomalyKind;
  /** One sentence: which operations show it. */
  explanation: string;
  /** The smallest anomalous history found, in invocation order. */
  history: HistoryEvent[];
  /** false when the shrink ran out of its budget: smaller may exist. */
  minimal: boolean;
  /** `history` printed: one line per operation. */
  lines: string[];
}

export interface ShrinkBudget {
  deadline: number;
  /** Steps of each search while shrinking. */
  maxSteps: number;
}

function anomalous(events: readonly HistoryEvent[], budget: ShrinkBudget): boolean {
  return searchLinearization(events, budget).verdict === 'anomaly';
}

/**
 * Removes blocks of operations, halving the block size down to one (delta debugging's
 * complement steps), keeping each removal after which the history is still anomalous and every
 * answer that was explained still is.
 */
export function shrink(
  events: readonly HistoryEvent[],
  budget: ShrinkBudget,
): { history: HistoryEvent[]; minimal: boolean } {
  let current = events.filter(isRelevant);
  const explained = new Set(current.filter((e) => explainedBy(e, current)));
  const keepsExplained = (candidate: readonly HistoryEvent[]): boolean =>
    candidate.every((e) => !explained.has(e) || explainedBy(e, candidate));
  for (let size = Math.max(1, Math.floor(current.length / 2)); size >= 1; size = Math.floor(size / 2)) {
    for (let start = current.length - size; start >= 0; start -= size) {
      if (Date.now() > budget.deadline) return { history: current, minimal: false };
      const candidate = [...current.slice(0, start), ...current.slice(start + size)];
      if (keepsExplained(candidate) && anomalous(candidate, budget)) current = candidate;
    }
    if (size === 1) break;
  }
  // A last pass one by one: removals may have enabled others.
  for (let changed = true; changed;) {
    changed = false;
    for (let i = current.length - 1; i >= 0; i--) {
      if (Date.now() > budget.deadline) return { history: current, minimal: false };
      const candidate = current.filter((_, j) => j !== i);
      if (keepsExplained(candidate) && anomalous(candidate, budget)) {
        current = candidate;
        changed = true;
      }
    }
  }
  return { history: current, minimal: true };
}

/** The version a write started from, when its call or answer says: a CAS's expectedVersion, a touch's answer - 1. */
function baseVersion(event: HistoryEvent): number | undefined {
  if (event.outcome.type !== 'ok') return undefined;
  if (event.call.f === 'store') return event.call.expectedVersion;
  if (event.call.f === 'touch') {
    const answer = returnedSession(event);
    return answer === undefined ? undefined : answer.version - 1;
  }
  return undefined;
}

function acknowledgedWrite(event: HistoryEvent): Session | undefined {
  return event.outcome.type === 'ok' && event.completedAt !== null ? producedSession(event) : undefined;
}

/** The version a read found: a fetch's answer, the one a touch started from; undefined: nothing; null: not a read. */
function versionSeen(event: HistoryEvent): number | undefined | null {
  if (event.call.f !== 'fetch' && event.call.f !== 'touch') return null;
  const read = returnedSession(event);
  if (read === undefined) return undefined;
  return event.call.f === 'fetch' ? read.version : read.version - 1;
}

/** Whether any read of the whole history returns `session` or a later version of it. */
function everRead(session: Session, whole: readonly HistoryEvent[]): boolean {
  return whole.some((e) => {
    if (e.call.f !== 'fetch' && e.call.f !== 'touch') return false;
    const read = returnedSession(e);
    return read !== undefined && (sameSession(read, session) || read.version > session.version);
  });
}

export function classify(
  minimal: readonly HistoryEvent[],
  whole: readonly HistoryEvent[],
  origin: number,
): { kind: AnomalyKind; explanation: string } {
  const at = (t: number | null): string => (t === null ? 'never' : `+${(t - origin).toFixed(1)} ms`);
  const bases = new Map<number, HistoryEvent>();
  for (const event of minimal) {
    const base = baseVersion(event);
    if (base === undefined) continue;
    const other = bases.get(base);
    if (other !== undefined)
      return {
        kind: 'lost-update',
        explanation: `${other.call.f} by ${other.client} (${at(other.completedAt)}) and ${event.call.f} by ${event.client} (${at(event.completedAt)}) were both acknowledged from version ${base}`,
      };
    bases.set(base, event);
  }
  for (const write of minimal) {
    const written = acknowledgedWrite(write);
    if (written === undefined) continue;
    for (const read of minimal) {
      if (read.outcome.type !== 'ok' || read.invokedAt <= write.completedAt!) continue;
      const seen = versionSeen(read);
      if (seen === null || (seen !== undefined && seen >= written.version)) continue;
      const deleted = minimal.some((e) => e.call.f === 'delete' && e.invokedAt < (read.completedAt ?? Infinity));
      if (deleted) continue;
      const what = seen === undefined ? 'nothing' : `version ${seen}`;
      const kind = everRead(written, whole) ? 'stale-read' : 'acknowledged-write-lost';
      return {
        kind,
        explanation:
          kind === 'stale-read'
            ? `${read.call.f} by ${read.client} (${at(read.invokedAt)}) returned ${what} after version ${written.version} was acknowledged (${at(write.completedAt)}); that version was read elsewhere`
            : `version ${written.version}, acknowledged to ${write.client} (${at(write.completedAt)}), is never read again: ${read.call.f} by ${read.client} (${at(read.invokedAt)}) returned ${what}`,
      };
    }
  }
  return { kind: 'other', explanation: 'not linearizable: no order of these operations gives every answer they got' };
}

function showSession(session: Session): string {
  const timeout = session.timeoutMs === null ? '' : ` timeout ${session.timeoutMs}`;
  return `v${session.version} at ${session.lastAccessedAt}${timeout} ${JSON.stringify(session.metadata)}`;
}

function showCall(event: HistoryEvent): string {
  const { call } = event;
  switch (call.f) {
    case 'store':
      return `store ${showSession(call.session)}${call.expectedVersion === undefined ? '' : ` if v${call.expectedVersion}`}`;
    case 'fetch':
      return `fetch now ${call.now}`;
    case 'touch':
      return `touch to ${call.lastAccessedAt} now ${call.now}`;
    case 'delete':
      return 'delete';
  }
}

function showOutcome(event: HistoryEvent): string {
  const { outcome } = event;
  if (outcome.type === 'fail') return `fail ${outcome.code}`;
  if (outcome.type === 'info') return `info (${outcome.error})`;
  if (event.call.f === 'store') return 'ok';
  if (event.call.f === 'delete') return `ok ${String(outcome.value)}`;
  const session = returnedSession(event);
  return `ok ${session === undefined ? 'nothing' : showSession(session)}`;
}

/** One line per operation: client, [invoked, completed] in ms from the first invocation, call, outcome. */
export function printHistory(events: readonly HistoryEvent[], origin: number): string[] {
  const ms = (t: number | null): string => (t === null ? '∞' : (t - origin).toFixed(1));
  return events.map(
    (e) => `${e.client} [${ms(e.invokedAt)}, ${ms(e.completedAt)}] ${showCall(e)} -> ${showOutcome(e)}`,
  );
}
