// What a non-linearizable history of one id shows: its smallest anomalous sub-history (see
// shrink), what kind of anomaly that is, and the sub-history printed one operation a line.
import type { Session } from '../../backends/contract.js';
import { explainedBy, isDefinite, isRelevant, producedSession, returnedSession, sameSession } from './history-model.js';
import type { HistoryEvent } from './history.js';
import { searchLinearization } from './linearizability-search.js';

/**
 * The anomalies named, checked in this order on the smallest history:
 * - 'lost-update': two acknowledged writes from the same version with no delete between them: two
 *   compare-and-set stores with the same expectedVersion, or such a store and a touch (or two
 *   touches) whose answers say they started from it. Linearized, the second would have seen the
 *   first's version: one was lost.
 * - 'stale-read': a read (a fetch, or a touch: it reads the version it starts from) found nothing
 *   or an older version than a write acknowledged before the read was invoked, with no delete that
 *   may fall between them, and that write's session (or a later version) is read somewhere in the
 *   whole history: it was there, the read was served from the past.
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

const PENDING: HistoryEvent['outcome'] = { type: 'info', error: 'pending at the cut' };

/** The event as if its answer never came: a write that may have landed any time after its invocation, or never. */
function ambiguous(event: HistoryEvent): HistoryEvent {
  return { ...event, completedAt: null, outcome: PENDING };
}

/**
 * The history up to `cut`: the operations invoked by then, those still running at `cut` made
 * ambiguous. Linearizability is prefix-closed, so if this is anomalous the whole history is.
 */
function prefix(events: readonly HistoryEvent[], cut: number): HistoryEvent[] {
  return events
    .filter((e) => e.invokedAt <= cut)
    .map((e) => (e.completedAt !== null && e.completedAt <= cut ? e : ambiguous(e)))
    .filter(isRelevant);
}

/**
 * The smallest anomalous history, in two steps that keep it a witness of the whole: the shortest
 * anomalous prefix (a binary search over completion times: a longer prefix of an anomalous one is
 * anomalous), then operations removed one at a time while it stays anomalous, every answer that
 * was explained stays explained, and, for a write, while it stays anomalous with that write
 * ambiguous too (whatever the write did, it can't explain the rest).
 */
export function shrink(
  events: readonly HistoryEvent[],
  budget: ShrinkBudget,
): { history: HistoryEvent[]; minimal: boolean } {
  const cuts = [...new Set(events.flatMap((e) => (isDefinite(e) ? [e.completedAt!] : [])))].sort((a, b) => a - b);
  let current = events.filter(isRelevant);
  for (let low = 0, high = cuts.length - 1; low <= high;) {
    if (Date.now() > budget.deadline) return { history: current, minimal: false };
    const middle = (low + high) >> 1;
    const candidate = prefix(events, cuts[middle]!);
    if (anomalous(candidate, budget)) {
      current = candidate;
      high = middle - 1;
    } else low = middle + 1;
  }
  const explained = new Set(current.filter((e) => explainedBy(e, current)));
  const removable = (candidate: readonly HistoryEvent[], removed: HistoryEvent): boolean =>
    candidate.every((e) => !explained.has(e) || explainedBy(e, candidate)) &&
    anomalous(candidate, budget) &&
    (removed.call.f === 'fetch' || anomalous([...candidate, ambiguous(removed)], budget));
  for (let changed = true; changed;) {
    changed = false;
    for (let i = current.length - 1; i >= 0; i--) {
      if (Date.now() > budget.deadline) return { history: current, minimal: false };
      const candidate = current.filter((_, j) => j !== i);
      if (removable(candidate, current[i]!)) {
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
  const based = minimal.filter((e) => baseVersion(e) !== undefined);
  const deletes = minimal.filter((e) => e.call.f === 'delete' && e.outcome.type !== 'fail');
  for (const [i, first] of based.entries()) {
    for (const second of based.slice(i + 1)) {
      if (baseVersion(first) !== baseVersion(second)) continue;
      // A delete in between starts the versions again: create, delete, create is no lost update.
      const from = Math.min(first.invokedAt, second.invokedAt);
      const to = Math.max(first.completedAt ?? Infinity, second.completedAt ?? Infinity);
      if (deletes.some((d) => d.invokedAt < to && (d.completedAt ?? Infinity) > from)) continue;
      return {
        kind: 'lost-update',
        explanation: `${first.call.f} by ${first.client} (${at(first.completedAt)}) and ${second.call.f} by ${second.client} (${at(second.completedAt)}) were both acknowledged from version ${baseVersion(first)}`,
      };
    }
  }
  for (const write of minimal) {
    const written = acknowledgedWrite(write);
    if (written === undefined) continue;
    for (const read of minimal) {
      if (read.outcome.type !== 'ok' || read.invokedAt <= write.completedAt!) continue;
      const seen = versionSeen(read);
      if (seen === null || (seen !== undefined && seen >= written.version)) continue;
      // A delete that may fall between the write and the read explains the read.
      const deleted = deletes.some(
        (d) => d.invokedAt < read.completedAt! && (d.completedAt ?? Infinity) > write.invokedAt,
      );
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
