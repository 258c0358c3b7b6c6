// A history of client operations, as Jepsen keeps it: each operation with when it was invoked,
// when it completed and how (ok, a definite failure, or an ambiguous outcome such as a timeout,
// which may or may not have taken effect). Times are on one clock shared by every process on
// the machine (the kernel's monotonic clock, in ms), so histories recorded in several processes
// or network namespaces merge.
import type { Session } from '../../backends/contract.js';

/** What a client asked for; sessions are independent, so every operation names one id. */
export type HistoryCall =
  | { f: 'store'; id: string; session: Session; expectedVersion?: number }
  | { f: 'fetch'; id: string; now: number }
  | { f: 'touch'; id: string; lastAccessedAt: number; now: number }
  | { f: 'delete'; id: string };

/**
 * How it ended. 'ok' carries the result (fetch/touch: the session or null; delete: the boolean);
 * 'fail' is a definite failure that changed nothing (a SessionError code such as CONFLICT);
 * 'info' is ambiguous (a timeout, a dropped connection): it may have taken effect, at any time
 * after its invocation.
 */
export type HistoryOutcome =
  | { type: 'ok'; value: Session | null | boolean | undefined }
  | { type: 'fail'; code: string }
  | { type: 'info'; error: string };

export interface HistoryEvent {
  /** Which client did it (a process, a worker, a connection); one client's operations never overlap. */
  client: string;
  call: HistoryCall;
  invokedAt: number;
  /** null: never completed (the client crashed or the run ended first); treated as 'info'. */
  completedAt: number | null;
  outcome: HistoryOutcome;
}

/**
 * The shared clock, in ms with sub-ms precision: CLOCK_MONOTONIC, one clock for every process of
 * the machine (network namespaces included). Not performance.timeOrigin + performance.now():
 * timeOrigin is read apart from now()'s zero, and processes started under load disagree by up to
 * ~100 ms on it (measured), which would turn cross-process orders into invented anomalies.
 */
export function historyClock(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
