// The history checker: is what the clients saw linearizable against the session contract? Sessions
// are independent, so the history is split by id and each id is searched on its own (Wing–Gong,
// linearizability-search.ts), within a budget. Every id gets a verdict: 'ok' (a linearization
// exists), 'anomaly' (none exists: reported with its kind and smallest history) or 'unknown' (the
// budget ran out first). As in Jepsen, histories are checked whole, not sampled, and 'unknown' is
// never counted as 'ok'.
import { type Anomaly, type AnomalyKind, classify, printHistory, shrink } from './anomalies.js';
import type { HistoryEvent } from './history.js';
import { searchLinearization } from './linearizability-search.js';

export type { Anomaly, AnomalyKind };

export interface CheckOptions {
  /** Wall-clock bound of one id's search. Default 5 s. */
  budgetMsPerId?: number;
  /** Step bound of one id's search (entries visited). Default 2,000,000. */
  maxStepsPerId?: number;
  /** Wall-clock bound of one anomaly's shrinking. Default 2 s. */
  shrinkMsPerId?: number;
  /** Anomalies kept in full (with their histories); the counts cover them all. Default 10. */
  maxAnomalies?: number;
}

export interface CheckSummary {
  /** Ids checked, and their verdicts. */
  ids: number;
  ok: number;
  anomalous: number;
  unknown: number;
  /** Operations checked, over all ids. */
  operations: number;
  /** Anomalous ids by kind. */
  kinds: Record<AnomalyKind, number>;
  /** The first maxAnomalies anomalies, each with its smallest history. */
  anomalies: Anomaly[];
  /** Ids whose search ran out of budget. */
  unknownIds: string[];
  /** The slowest id's search, and all searches together (shrinking excluded). */
  maxMsPerId: number;
  totalMs: number;
}

export function emptyKinds(): Record<AnomalyKind, number> {
  return { 'lost-update': 0, 'stale-read': 0, 'acknowledged-write-lost': 0, other: 0 };
}

export function checkHistory(history: readonly HistoryEvent[], options: CheckOptions = {}): CheckSummary {
  const budgetMs = options.budgetMsPerId ?? 5000;
  const maxSteps = options.maxStepsPerId ?? 2_000_000;
  const byId = new Map<string, HistoryEvent[]>();
  for (const event of history) {
    const events = byId.get(event.call.id);
    if (events === undefined) byId.set(event.call.id, [event]);
    else events.push(event);
  }
  const summary: CheckSummary = {
    ids: byId.size,
    ok: 0,
    anomalous: 0,
    unknown: 0,
    operations: history.length,
    kinds: emptyKinds(),
    anomalies: [],
    unknownIds: [],
    maxMsPerId: 0,
    totalMs: 0,
  };
  for (const [id, unordered] of byId) {
    const events = [...unordered].sort((a, b) => a.invokedAt - b.invokedAt);
    const started = performance.now();
    const { verdict } = searchLinearization(events, { deadline: Date.now() + budgetMs, maxSteps });
    const ms = performance.now() - started;
    summary.maxMsPerId = Math.max(summary.maxMsPerId, ms);
    summary.totalMs += ms;
    if (verdict === 'ok') summary.ok++;
    else if (verdict === 'unknown') {
      summary.unknown++;
      summary.unknownIds.push(id);
    } else {
      summary.anomalous++;
      const anomaly = explain(id, events, {
        deadline: Date.now() + (options.shrinkMsPerId ?? 2000),
        maxSteps: Math.min(maxSteps, 200_000),
      });
      summary.kinds[anomaly.kind]++;
      if (summary.anomalies.length < (options.maxAnomalies ?? 10)) summary.anomalies.push(anomaly);
    }
  }
  return summary;
}

function explain(id: string, events: readonly HistoryEvent[], budget: { deadline: number; maxSteps: number }): Anomaly {
  const { history, minimal } = shrink(events, budget);
  const origin = history[0]?.invokedAt ?? 0;
  const { kind, explanation } = classify(history, events, origin);
  return { id, kind, explanation, history, minimal, lines: printHistory(history, origin) };
}

/** One line: the verdict counts, and the anomalies by kind. */
export function describeCheck(summary: CheckSummary): string {
  const kinds = Object.entries(summary.kinds)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  return (
    `${summary.ids} ids (${summary.operations} ops): ${summary.ok} ok, ${summary.anomalous} anomalous, ${summary.unknown} unknown` +
    (kinds.length > 0 ? ` (${kinds.join(', ')})` : '') +
    `; slowest id ${summary.maxMsPerId.toFixed(1)} ms`
  );
}
