// What the partition scenario's clients saw, counted from their merged history. Each write names
// the tag of the state it was computed from (metadata { tag, prev }), so the states of one id form
// a tree of tags; what a linearizable store shows is one path through it.
// - acknowledged: writes that completed ok (stores, touches that found the session, deletes that deleted).
// - lost: acknowledged stores that the final state (the history ends with a read of every id, by
//   client 'final', after the partitions healed) does not descend from, whose branch was replaced
//   without a delete that could explain it (seen last at some point, something else seen next).
// - lost updates: compare-and-sets acknowledged twice from the same predecessor: two branches,
//   one of which was overwritten without being seen (what CAS exists to prevent).
// - stale reads: reads (fetch, touch) that do not reflect the latest store acknowledged before
//   they began, with no delete in between.
// - impossible reads: a read returning another id's session, or a state no client ever wrote
//   for that id. Replication can lose or delay writes; it can't invent or move them.
import type { Session } from '../../backends/contract.js';
import type { HistoryEvent } from './history.js';

export interface PartitionFigures {
  operations: number;
  acknowledged: number;
  /** Operations whose outcome is unknown (timeouts, UNAVAILABLE, unconfirmed WAIT). */
  ambiguous: number;
  lost: number;
  lostUpdates: number;
  staleReads: number;
  impossibleReads: number;
  /** A few of each anomaly, one line each. */
  examples: string[];
}

const MAX_EXAMPLES = 6;

function tagOf(value: unknown): string | null {
  return value === null || value === undefined || typeof value === 'boolean'
    ? null
    : String((value as Session).metadata.tag);
}

function completed(e: HistoryEvent): number {
  return e.completedAt ?? Number.POSITIVE_INFINITY;
}

/** Counts the anomalies in `history`, which ends with a read of every id by client 'final'. */
export function partitionFigures(history: readonly HistoryEvent[]): PartitionFigures {
  const figures: PartitionFigures = {
    operations: history.length,
    acknowledged: 0,
    ambiguous: 0,
    lost: 0,
    lostUpdates: 0,
    staleReads: 0,
    impossibleReads: 0,
    examples: [],
  };
  const example = (text: string): void => {
    if (figures.examples.length < MAX_EXAMPLES) figures.examples.push(text);
  };
  const byId = new Map<string, HistoryEvent[]>();
  for (const e of history) {
    if (e.outcome.type === 'info' || e.completedAt === null) figures.ambiguous++;
    // a store that returned, a touch that found the session, a delete that deleted
    const { f } = e.call;
    if (
      e.outcome.type === 'ok' &&
      (f === 'store' || (f !== 'fetch' && e.outcome.value != null && e.outcome.value !== false))
    )
      figures.acknowledged++;
    byId.set(e.call.id, [...(byId.get(e.call.id) ?? []), e]);
  }
  for (const [id, events] of byId) {
    // every write attempted, whatever its outcome: an ambiguous one may have landed
    const parent = new Map<string, string | null>();
    for (const e of events)
      if (e.call.f === 'store')
        parent.set(String(e.call.session.metadata.tag), (e.call.session.metadata.prev ?? null) as string | null);
    const descendsFrom = (tag: string | null, ancestor: string): boolean => {
      const seen = new Set<string>();
      for (let t = tag; t !== null && !seen.has(t); t = parent.get(t) ?? null) {
        if (t === ancestor) return true;
        seen.add(t);
      }
      return false;
    };
    const deletes = events.filter((e) => e.call.f === 'delete' && e.outcome.type !== 'fail');
    // a delete may take effect anywhere between its invocation and completion
    const deleteBetween = (from: number, to: number): boolean =>
      deletes.some((d) => d.invokedAt <= to && completed(d) >= from);
    const acked = events.filter((e) => e.call.f === 'store' && e.outcome.type === 'ok');
    // the history ends with a read of every id (client 'final'): the state the run left
    const finalTag = tagOf(
      events
        .filter((e) => e.client === 'final' && e.outcome.type === 'ok')
        .map((e) => (e.outcome as { value: unknown }).value)
        .at(-1) ?? null,
    );
    // What each ok operation shows of the id's state: a store its own tag, a read the tag it returned.
    const observations = events.flatMap((e) => {
      if (e.outcome.type !== 'ok' || e.call.f === 'delete') return [];
      return [{ e, tag: e.call.f === 'store' ? String(e.call.session.metadata.tag) : tagOf(e.outcome.value) }];
    });
    for (const w of acked) {
      const tag = String((w.call as { session: Session }).session.metadata.tag);
      if (descendsFrom(finalTag, tag)) continue;
      // Its branch was seen last here; the first observation after that shows it replaced, and
      // only a delete can end a branch (a compare-and-set needs the version it replaces).
      const lastSeen = Math.max(
        ...observations.filter((o) => descendsFrom(o.tag, tag)).map((o) => completed(o.e)),
        completed(w),
      );
      const replaced = observations
        .filter((o) => o.e.invokedAt > lastSeen && !descendsFrom(o.tag, tag))
        .reduce<(typeof observations)[number] | undefined>(
          (a, o) => (a === undefined || completed(o.e) < completed(a.e) ? o : a),
          undefined,
        );
      if (replaced === undefined || deleteBetween(w.invokedAt, completed(replaced.e))) continue;
      figures.lost++;
      example(
        `lost: ${id} write ${tag} by ${w.client} acknowledged, replaced by ${replaced.tag ?? 'nothing'} (${replaced.e.client} ${replaced.e.call.f}) without a delete`,
      );
    }
    const fromSamePrev = new Map<string, HistoryEvent[]>();
    for (const w of acked) {
      const prev = (w.call as { session: Session }).session.metadata.prev;
      if (typeof prev === 'string') fromSamePrev.set(prev, [...(fromSamePrev.get(prev) ?? []), w]);
    }
    for (const [prev, writes] of fromSamePrev)
      if (writes.length > 1) {
        figures.lostUpdates += writes.length - 1;
        example(
          `lost update: ${id} compare-and-set from ${prev} acknowledged ${writes.length} times (${writes.map((w) => w.client).join(', ')})`,
        );
      }
    for (const r of events) {
      if ((r.call.f !== 'fetch' && r.call.f !== 'touch') || r.outcome.type !== 'ok') continue;
      const seen = tagOf(r.outcome.value);
      const value = r.outcome.value as Session | null | undefined;
      if (value != null && (value.id !== id || (seen !== null && !parent.has(seen)))) {
        figures.impossibleReads++;
        example(`impossible read: ${id} ${r.call.f} by ${r.client} returned ${JSON.stringify(value).slice(0, 100)}`);
        continue;
      }
      const before = acked.filter((w) => completed(w) < r.invokedAt);
      const latest = before.reduce<HistoryEvent | undefined>(
        (a, w) => (a === undefined || completed(w) > completed(a) ? w : a),
        undefined,
      );
      if (latest === undefined || deleteBetween(latest.invokedAt, completed(r))) continue;
      const tag = String((latest.call as { session: Session }).session.metadata.tag);
      if (!descendsFrom(seen, tag)) {
        figures.staleReads++;
        example(`stale read: ${id} ${r.call.f} by ${r.client} saw ${seen ?? 'nothing'} after ${tag} was acknowledged`);
      }
    }
  }
  return figures;
}
